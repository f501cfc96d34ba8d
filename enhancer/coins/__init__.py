"""Coins: the one source of truth for what photos cost.

Here live the ledger (`ledger.py`: charges, refunds and top-ups written as `CoinCharge`/`TopUp`
rows), the usage reports (`usage.py`), the per-day sums they are built from (`day_totals.py`,
`local_days.py`) and the budgets checked before a paid call (`budgets.py`). Every page, CSV and
budget that shows or checks coins reads the ledger through this package, never `Job.coins`.

May import: `enhancer.models`, `enhancer.hitpaw.pricing`/`errors`, Django. Never `enhancer.jobs`,
`enhancer.web` or `enhancer.tasks` — those import coins, not the other way round.
"""
