from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "留守儿童信息库"

    def ready(self):
        from .reminders import register_rules

        register_rules()
