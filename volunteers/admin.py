from django.contrib import admin

from .models import Membership, ServiceRecord, Team, Volunteer
from .services import team_county


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "organization", "school", "county", "is_active")
    list_filter = ("kind", "is_active", "county")
    search_fields = ("code", "name")
    raw_id_fields = ("school", "leader")
    exclude = ("county",)

    def save_model(self, request, obj, form, change):
        obj.county = team_county(obj)
        super().save_model(request, obj, form, change)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("team", "decided_by")


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ("name", "zyh_account", "mobile_masked", "unit", "political_status")
    search_fields = ("name", "zyh_account")
    raw_id_fields = ("user",)
    inlines = [MembershipInline]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(admin.ModelAdmin):
    list_display = ("volunteer", "team", "service_date", "hours", "activity_name", "state")
    list_filter = ("state", "source")
    raw_id_fields = ("volunteer", "team", "upload", "decided_by")
    search_fields = ("volunteer__name", "volunteer__zyh_account", "activity_name")

    def has_delete_permission(self, request, obj=None):
        return False  # a declined record is kept with its reason, never deleted
