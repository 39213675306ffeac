from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "结对关爱"

    def ready(self):
        from children.retention import register_reducer

        from .reminders import register_rules
        from .retention import clear_free_text

        register_rules()
        register_reducer(clear_free_text)
