from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "结对关爱"

    def ready(self):
        from . import retention  # noqa: F401 (connects its receiver)
        from .reminders import register_rules

        register_rules()
