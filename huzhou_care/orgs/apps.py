from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "huzhou_care.orgs"
    label = "orgs"
    verbose_name = "组织架构"
