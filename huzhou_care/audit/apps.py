from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "huzhou_care.audit"
    label = "audit"
    verbose_name = "审计"
