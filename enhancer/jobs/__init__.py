"""The life of a job: intake (the submission rules), the pipeline (fetch, submit, poll, download),
claims and leases, the ticker that schedules steps, the team-wide pause, and admin review.

Plain Python over `enhancer.models`, testable without a cluster. May import `enhancer.coins`,
`enhancer.hitpaw`, `enhancer.media`, `enhancer.net` and `enhancer.models`. Work is queued by dotted
path (`async_task("enhancer.tasks.<name>", ...)`): never imports `enhancer.tasks`, the pages
(`enhancer.web`), `enhancer.ops` or the sandbox.
"""
