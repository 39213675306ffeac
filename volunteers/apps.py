from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "志愿服务队伍"

    def ready(self):
        from .reminders import register_rules

        register_rules()
