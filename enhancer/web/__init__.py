"""The pages: views (one module per page family), forms, urls, who-may-see-what, and banners.

Views read the database and hand work to `enhancer.jobs` (intake, review); they never call HitPaw,
so nothing here imports `enhancer.hitpaw.client`. Coins shown anywhere come from the ledger
(`enhancer.coins`); health from `enhancer.ops`.
"""
