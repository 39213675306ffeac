from django.contrib import admin
from import_export.tmp_storages import CacheStorage

from huzhou_care.text import CleanTextFormMixin


class ImportTmpStorage(CacheStorage):
    """Where django-import-export keeps an uploaded file between the preview and the confirm:
    the cache (Redis in production, shared by the web nodes), never a file in /tmp, and for
    an hour only, so that a preview that failed or was never confirmed leaves nothing behind
    for long (the default folder storage kept a failed import's file in /tmp forever)."""

    CACHE_LIFETIME = 3600


class CleanTextAdminMixin:
    """The admin's add/change forms (and list-editable forms) clean submitted text like every
    other form of the portal (``huzhou_care.text``)."""

    def get_form(self, request, obj=None, **kwargs):
        return _with_cleaning(super().get_form(request, obj, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return _with_cleaning(super().get_changelist_form(request, **kwargs))


def _with_cleaning(form_class):
    if issubclass(form_class, CleanTextFormMixin):
        return form_class
    return type(form_class.__name__, (CleanTextFormMixin, form_class), {})


class PortalAdminSite(admin.AdminSite):
    site_header = "我们在一起 · 系统管理"
    site_title = "系统管理"
    index_title = "参考数据与账号"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_city_admin)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every registered ModelAdmin cleans submitted text (:class:`CleanTextAdminMixin`)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CleanTextAdminMixin):
            admin_class = type(admin_class.__name__, (CleanTextAdminMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)
