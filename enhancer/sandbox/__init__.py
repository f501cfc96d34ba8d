"""Sandbox mode: a built-in simulator of HitPaw's two calls, its own Django app (label `sandbox`).

Installed and mounted under `/sandbox/` only when no API key is set. The app reaches it only over
HTTP, through the same client production uses, so a newcomer runs the real code path end to end.
It reads the vendor's facts (error table, prices, limits, catalogue) from `enhancer.hitpaw` and
images through `enhancer.media`; nothing in the rest of `enhancer` imports it.
"""
