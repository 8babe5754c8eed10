"""iCalendar feeds (network, event, personal) and single-item .ics downloads."""
