"""The append-only record of every screen (and, later, every decision), and its export."""
