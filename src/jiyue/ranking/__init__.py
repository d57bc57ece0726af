"""Monitoring many zones: rankings, averages, year on year, and what would move a zone up."""
