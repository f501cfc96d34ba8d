import logging
import uuid

from django.apps import AppConfig

log = logging.getLogger(__name__)
# One id per process start: a cluster's workers are forked from it and share it (even when one
# is respawned), so only the first of them to spawn starts a ticker.
CLUSTER_START = uuid.uuid4().hex


class EnhancerConfig(AppConfig):
    name = "enhancer"
    verbose_name = "Enhance Desk"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from enhancer import checks  # noqa: F401  importing checks registers them
        from enhancer.management import processes

        processes.watch_parent()

        post_spawn.connect(_start_ticker_with_cluster, dispatch_uid="enhancer-ticker-on-spawn")


def _start_ticker_with_cluster(sender, proc_name, **kwargs) -> None:
    """A (re)started cluster starts the ticker at once instead of waiting for the watchdog."""
    from enhancer import tasks

    try:
        tasks.start_with_cluster(CLUSTER_START)
    except Exception:
        log.exception("Could not start the ticker from %s; the watchdog will", proc_name)
