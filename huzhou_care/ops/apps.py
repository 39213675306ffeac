from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: backup and restore commands, the dependency audit (no models)."""

    name = "huzhou_care.ops"
    label = "ops"
    verbose_name = "运维"
