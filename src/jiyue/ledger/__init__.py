"""Campaign ledgers (专项行动台账): append-only events, plans, progress and closing with evidence."""
