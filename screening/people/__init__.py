"""People who sign in to the analyst pages: users, their password hashes and their sessions."""
