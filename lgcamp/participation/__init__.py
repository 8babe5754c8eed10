"""Participation: evidence, network status, member register, reports, verification."""
