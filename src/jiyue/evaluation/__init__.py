"""Zone evaluation per TD/T 1029: area accounting, indicators, score, potentials, explanations."""
