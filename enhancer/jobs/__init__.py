"""The life of a job: intake (the submission rules), the pipeline (fetch, submit, poll, download),
claims and leases, the ticker that schedules steps, the team-wide pause, and admin review.

Plain Python over `enhancer.models`, testable without a cluster. May import `enhancer.hitpaw`,
`enhancer.media` and `enhancer.models`; `enhancer.tasks` only to queue work. Never imports the
pages (`enhancer.web`) or the sandbox.
"""
