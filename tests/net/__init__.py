"""Tests of `enhancer/net/`: address rules, pinned connections, checked redirects."""
