"""Reference data shipped with Proxisource (taxonomy, certifications, sectors, digital readiness)."""
