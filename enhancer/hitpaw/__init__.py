"""Everything about HitPaw itself: the client for its two calls, its errors and statuses, and the
vendor's facts (the model catalogue, prices and limits).

Imports nothing from Django models, the database or the rest of `enhancer`: the job pipeline and
the sandbox build on it, never the other way round. `client.py` is the only module here that opens
a connection.
"""
