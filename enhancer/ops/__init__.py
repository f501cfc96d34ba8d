"""Operations: what an operator reads to know the desk is healthy (broker, clusters, ticker lag).

May import `enhancer.jobs` and `enhancer.models`; imported by `enhancer.web` (`/healthz`, the System
page). Never imported by `enhancer.jobs`.
"""
