"""Screening core: records, normalisation, matching, decisions, ORM models and store.

Kept empty on purpose: `lists` imports `screening.records`, and re-exporting the ORM here would
drag SQLAlchemy into every parser (and break the import contracts in pyproject.toml).
"""
