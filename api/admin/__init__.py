"""Operators' endpoints: what the background work left for a person to look at."""
