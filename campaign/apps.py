from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = "活动与考评"

    def ready(self):
        from children.retention import register_reducer

        from .evaluation.measures import register_built_in
        from .programmes.measures import register_measures
        from .programmes.retention import clear_free_text
        from .reminders import register_rules

        register_rules()
        register_built_in()
        register_measures()
        register_reducer(clear_free_text)
