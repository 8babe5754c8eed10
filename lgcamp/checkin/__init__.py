"""Door check-in: scanner page, scanner links, check-in API, offline ticket list, dashboard."""
