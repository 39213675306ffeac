"""city_admin configures the indicator table here: a draft version is edited (first-level
indicators, second-level indicators with weight, measure, target, floor, cap), then
published (checked: weights add up, every measure is registered); a published version is
frozen (snapshots name it) and changed by copying it to a new draft version. Snapshots and
assessment entries are read-only (append-only)."""

from django.contrib import admin, messages

from . import measures, services
from .models import Assessment, Indicator, IndicatorGroup, IndicatorTable, Snapshot


class GroupInline(admin.TabularInline):
    model = IndicatorGroup
    extra = 0
    fields = ("order", "code", "name", "weight")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.published)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(IndicatorTable)
class IndicatorTableAdmin(admin.ModelAdmin):
    list_display = ("year", "version", "title", "published", "published_at", "note")
    list_filter = ("year", "published")
    inlines = [GroupInline]
    readonly_fields = ("published", "published_at", "created_by", "created_at")
    actions = ["copy_as_new_version", "publish"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.published)

    @admin.action(description="复制为新的草稿版本")
    def copy_as_new_version(self, request, queryset):
        for table in queryset:
            copy = services.new_version(
                table, actor=request.user, note=f"由第 {table.version} 版复制"
            )
            messages.success(request, f"已创建{copy}（草稿）。")

    @admin.action(description="发布所选版本")
    def publish(self, request, queryset):
        for table in queryset:
            try:
                services.publish_table(table)
            except services.EvaluationError as exc:
                messages.error(request, f"{table}：{exc}")
            else:
                messages.success(request, f"已发布{table}。")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "kind", "weight", "measure", "target", "floor", "cap")
    list_filter = ("group__table", "kind")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "measure" and field is not None:
            field.help_text = "可用口径：" + "、".join(
                f"{m.code}（{m.label}）" for m in measures.all_measures()
            )
        return field

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (
            obj and obj.group.table.published
        )

    has_delete_permission = has_change_permission


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ("year", "as_of", "table", "created_at", "checksum")
    exclude = ("inputs", "results")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = (
        "at",
        "year",
        "district",
        "indicator_code",
        "side",
        "grade",
        "points",
        "by",
        "reason",
    )
    list_filter = ("year", "side", "district")
