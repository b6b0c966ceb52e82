"""Signed webhooks (Standard Webhooks): subscriptions, fan-out of the change feed, delivery."""
