"""The JSON API at /api/v1/ (django-ninja): what HitPaw's own API lacks, for the team's scripts.

Photos (list with the history's filters, get, create by link, cancel, resume), batches, share links
and coin usage, each acting as the personal token's person with the pages' permission rules
(`enhancer.web.access`). django-ninja because it draws the OpenAPI schema and the interactive docs
from the same typed signatures that validate the input, and serves the docs' scripts itself (offline,
under our Content-Security-Policy). `api.py` builds the API; one module per family of endpoints.
"""
