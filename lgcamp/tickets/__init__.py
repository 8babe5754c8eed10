"""Ticket types, questions, bookings, ballot, waitlist and offers."""
