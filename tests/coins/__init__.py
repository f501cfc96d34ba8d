"""Tests of `enhancer/coins/`: the ledger as the one source of coin truth."""
