from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "活动与考评"

    def ready(self):
        from .evaluation.measures import register_built_in
        from .programmes import retention  # noqa: F401 (connects its receiver)
        from .programmes.measures import register_measures
        from .reminders import register_rules

        register_rules()
        register_built_in()
        register_measures()
