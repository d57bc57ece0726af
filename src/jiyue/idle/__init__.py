"""Idle and inefficient land: Order 53 rules, contract penalties, the stock chain, low-efficiency
rule sets, the one-parcel-one-plan campaign ledger and recovery economics."""
