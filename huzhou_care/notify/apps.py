from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "huzhou_care.notify"
    label = "notify"
    verbose_name = "通知"
