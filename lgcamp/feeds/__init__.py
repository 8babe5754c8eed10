"""iCalendar feeds and .ics downloads."""
