"""Organisations and API keys (administered by the cluster's operators)."""
