"""Monitoring: the customers and accounts an organisation screens continuously, their latest
results, the access each account has, the alerts a human reviews, and resumable full rescreens."""
