"""API keys stored in the database, hashed; roles and what each may do."""
