from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = "留守儿童信息库"
