"""Requests for quotation: lifecycle, matching, invitations, quotes."""
