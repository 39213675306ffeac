from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "结对关爱"

    def ready(self):
        from .reminders import register_rules

        register_rules()
