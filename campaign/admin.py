"""City administrators configure the year: stages and their windows, deadlines (due date,
grace period, lock date), what each report asks for, the reporting units (and when each
joined), and the criteria pilot applications are scored against. Status changes of reports,
applications, stories and nominations happen in the portal's pages (they record who and
when), so those models are read-only here."""

from django.contrib import admin

from .models import (
    CampaignYear,
    Deadline,
    Nomination,
    PilotApplication,
    PilotCriterion,
    ReportingUnit,
    ReportPart,
    ReportTemplate,
    Stage,
    StageReport,
    Story,
    Transition,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("order", "kind", "starts_on", "ends_on")


class CriterionInline(admin.TabularInline):
    model = PilotCriterion
    extra = 0


@admin.register(CampaignYear)
class CampaignYearAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "is_current")
    inlines = [StageInline, CriterionInline]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ("title", "stage", "due_on", "grace_days", "lock_on")
    list_filter = ("stage__year", "stage__kind")
    list_select_related = ("stage",)


class PartInline(admin.TabularInline):
    model = ReportPart
    extra = 0
    fields = ("order", "key", "label", "kind", "required")


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ("deadline", "for_districts", "for_organizations", "for_schools")
    list_select_related = ("deadline",)
    inlines = [PartInline]


@admin.register(ReportingUnit)
class ReportingUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "county", "joined_on")
    list_filter = ("kind", "county")
    search_fields = ("name",)
    raw_id_fields = ("district", "school", "organization", "county")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StageReport)
class StageReportAdmin(ReadOnlyAdmin):
    list_display = ("unit", "template", "status", "submitted_at", "late", "reopened")
    list_filter = ("status", "late", "template")
    list_select_related = ("unit", "template__deadline")


@admin.register(PilotApplication)
class PilotApplicationAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "origin", "status")
    list_filter = ("status", "origin")


@admin.register(Story)
class StoryAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "kind", "status", "shows_children", "consent_recorded")


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ("name", "category", "unit", "status")


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "action", "from_status", "to_status", "by")
    list_select_related = ("content_type", "by")


from .evaluation import admin as evaluation_admin  # noqa: E402, F401  (indicator table, snapshots)
