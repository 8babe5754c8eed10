"""Events, venues, public event pages, the network's event list."""
