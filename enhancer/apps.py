from django.apps import AppConfig


class EnhancerConfig(AppConfig):
    name = "enhancer"
    verbose_name = "Enhance Desk"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from enhancer import checks  # noqa: F401  importing checks registers them
        from enhancer.management import processes

        processes.watch_parent()

        post_spawn.connect(_watch_the_ticker, dispatch_uid="enhancer-ticker-on-spawn")


def _watch_the_ticker(sender, proc_name, **kwargs) -> None:
    """Each worker of a (re)started cluster starts a ticker if none runs, then keeps watching."""
    from enhancer import tasks

    tasks.watch_ticker()
