from django.apps import AppConfig


class EnhancerConfig(AppConfig):
    name = "enhancer"
    verbose_name = "Enhance Desk"

    def ready(self) -> None:
        from django_q.signals import pre_enqueue

        from enhancer import checks  # noqa: F401  importing checks registers them

        pre_enqueue.connect(_refuse_unknown_tasks, dispatch_uid="enhancer-task-allow-list")


def _refuse_unknown_tasks(sender, task, **kwargs) -> None:
    """Only this app's own task functions are queued (enhancer/tasks.py:ALLOWED_TASKS)."""
    from enhancer import tasks

    tasks.refuse_unknown_tasks(sender, task, **kwargs)
