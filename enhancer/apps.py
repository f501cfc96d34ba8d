import sys

from django.apps import AppConfig

# A thread back from the database or the network gets the GIL within 0.5 ms, not Python's 5 ms.
# Each statement of a transaction waited for it while a busy sibling thread held it, and on SQLite
# the transaction held the one write lock meanwhile: the form POST's p95 was lower in each of six
# alternating SQLite runs of 1,000 photos (133-169 ms against 151-211 ms); no change on PostgreSQL
# (docs/benchmarks.md). Every Django process sets it: web, cluster, commands.
GIL_SWITCH_SECONDS = 0.0005


class EnhancerConfig(AppConfig):
    name = "enhancer"
    verbose_name = "Enhance Desk"

    def ready(self) -> None:
        from django_q.signals import post_spawn, pre_enqueue

        sys.setswitchinterval(GIL_SWITCH_SECONDS)

        from enhancer import checks  # noqa: F401  importing checks registers them
        from enhancer.management import processes

        processes.watch_parent()

        post_spawn.connect(_watch_the_ticker, dispatch_uid="enhancer-ticker-on-spawn")
        pre_enqueue.connect(_refuse_unknown_tasks, dispatch_uid="enhancer-task-allow-list")


def _watch_the_ticker(sender, proc_name, **kwargs) -> None:
    """Each worker of a (re)started cluster starts a ticker if none runs, then keeps watching."""
    from enhancer import tasks

    tasks.watch_ticker()


def _refuse_unknown_tasks(sender, task, **kwargs) -> None:
    """Only this app's own task functions are queued (enhancer/tasks.py:ALLOWED_TASKS)."""
    from enhancer import tasks

    tasks.refuse_unknown_tasks(sender, task, **kwargs)
