"""The room for callers that are not browser sessions: scripts and other systems.

Here live personal API tokens (`tokens.py`: who a token acts as), the HitPaw-shaped gateway (the
vendor's two calls, served by the desk), the JSON API (django-ninja) and outbound webhooks. A call
here acts as its token's person, with that person's role, and goes through the same rules as the
pages: a submission through `enhancer.jobs.intake`, coins read through `enhancer.coins`.

May import `models`, `jobs`, `coins`, `media`, `net` and the pages' helpers in `web` (permissions,
live status); never `hitpaw.client` (only the pipeline calls HitPaw, from a worker).
"""
