"""Linked accounts: signals that accounts share, the link graph they make, and the clusters of
accounts found around a denied one (with their review)."""
