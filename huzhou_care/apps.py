from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """Django admin, open to city administrators only (see ``huzhou_care.admin``)."""

    default_site = "huzhou_care.admin.PortalAdminSite"
