from axes.apps import AppConfig as _AxesConfig
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django admin, open to city administrators only (see ``huzhou_care.admin``)."""

    default_site = "huzhou_care.admin.PortalAdminSite"


class AxesConfig(_AxesConfig):
    """django-axes (lockout after failed sign-ins) under a Chinese name in the admin; its
    models' and fields' names come from locale/zh_Hans (axes ships no Chinese catalogue)."""

    verbose_name = "登录保护"
