"""Supplier profiles."""
