from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "huzhou_care.demo"
    label = "demo"
    verbose_name = "演示数据"
