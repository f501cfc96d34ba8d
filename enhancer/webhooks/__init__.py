"""Webhooks: signed events for a person's (or the team's) endpoints, sent from the workers.

A room of its own, below the jobs and beside the coins: `jobs/lifecycle.py` writes the outbox row
in the status change's own transaction (`outbox`), the ticker claims due rows like jobs
(`claims`), and a worker signs each per Standard Webhooks and sends it through `enhancer.net`
(`sender`), retrying with backoff for 24 hours (`retries`). May import `models` and `net`.
"""
