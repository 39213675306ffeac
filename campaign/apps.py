from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "活动与考评"

    def ready(self):
        from .reminders import register_rules

        register_rules()
