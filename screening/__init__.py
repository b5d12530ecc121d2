"""Screening core, one package per capability (see the README's Architecture section).

Kept empty on purpose: `lists` imports `screening.listings.records`, and re-exporting the ORM here
would drag SQLAlchemy into every parser (and break the import contracts in pyproject.toml).
"""
