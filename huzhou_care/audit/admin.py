from django.contrib import admin

from .models import AccessLog, ChangeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit tables are append-only: the admin may read and search them, nothing else."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "role", "action", "object_type", "row_count", "ip")
    list_filter = ("action", "role", "object_type")
    date_hierarchy = "at"


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "action", "source", "source_ref", "actor")
    list_filter = ("action", "source", "content_type")
    search_fields = ("source_ref",)
    date_hierarchy = "at"
