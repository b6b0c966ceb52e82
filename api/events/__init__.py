"""The ordered event log: written with each change, read as a change feed."""
