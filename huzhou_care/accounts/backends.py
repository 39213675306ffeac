from django.contrib.auth.backends import BaseBackend


class CityAdminPermissionBackend(BaseBackend):
    """City administrators (团市委青少年事务部) hold every model permission in the Django
    admin; no other role enters the admin at all (see ``huzhou_care.admin``)."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return bool(user_obj.is_active and getattr(user_obj, "is_city_admin", False))

    def has_module_perms(self, user_obj, app_label):
        return self.has_perm(user_obj, f"{app_label}.*")
