from django.apps import AppConfig


class EnhancerConfig(AppConfig):
    name = "enhancer"
    verbose_name = "Enhance Desk"

    def ready(self) -> None:
        from enhancer import checks  # noqa: F401  (registers the system checks)
