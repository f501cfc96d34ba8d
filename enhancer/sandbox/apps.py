from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "enhancer.sandbox"
    label = "sandbox"
    verbose_name = "HitPaw simulator (sandbox mode)"
    default_auto_field = "django.db.models.BigAutoField"
