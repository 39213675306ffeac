from django.apps import apps
from django.contrib import admin

from huzhou_care.accounts.models import Role

from .models import AccessLog, ChangeRecord


def role_label(code: str) -> str:
    """district_staff -> 区县团委工作人员 (an unknown code is shown as it is)."""
    return str(Role(code).label) if code in Role.values else code


def object_type_label(label: str) -> str:
    """children.child -> 留守儿童: the model's verbose name, found through the app registry
    (the core names no app)."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class RoleFilter(admin.SimpleListFilter):
    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(role=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "对象类型"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = model_admin.get_queryset(request).order_by().values_list("object_type", flat=True)
        return [(t, object_type_label(t)) for t in sorted(set(types.distinct()))]

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


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
    list_display = ("at", "user", "role_display", "action", "object_display", "row_count", "ip")
    list_filter = ("action", RoleFilter, ObjectTypeFilter)
    date_hierarchy = "at"

    @admin.display(description="角色", ordering="role")
    def role_display(self, obj):
        return role_label(obj.role)

    @admin.display(description="对象类型", ordering="object_type")
    def object_display(self, obj):
        return object_type_label(obj.object_type)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "action", "source", "source_ref", "actor")
    list_filter = ("action", "source", "content_type")
    search_fields = ("source_ref",)
    date_hierarchy = "at"
