"""Reports: tables (xlsx), text tables, and later HTML/PDF — adapters over result documents."""
