from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget

from huzhou_care.text import CleanTextResourceMixin

from .models import Organization, OrgGroup, OrgUnit, School


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(OrgGroup)
class OrgGroupAdmin(admin.ModelAdmin):
    filter_horizontal = ("members",)


class SchoolResource(CleanTextResourceMixin, resources.ModelResource):
    """Schools with codes, in and out of Excel through the admin (preview, then confirm)."""

    county = fields.Field(
        attribute="county", column_name="区县代码", widget=ForeignKeyWidget(OrgUnit, "code")
    )
    township = fields.Field(
        attribute="township", column_name="乡镇代码", widget=ForeignKeyWidget(OrgUnit, "code")
    )
    code = fields.Field(attribute="code", column_name="学校标识码")
    name = fields.Field(attribute="name", column_name="学校名称")
    kind = fields.Field(attribute="kind", column_name="学校类型")

    class Meta:
        model = School
        import_id_fields = ("code",)
        fields = ("code", "name", "kind", "county", "township")
        skip_unchanged = True
        report_skipped = True


@admin.register(School)
class SchoolAdmin(ImportExportModelAdmin):
    resource_classes = [SchoolResource]
    list_display = ("code", "name", "kind", "county", "township", "is_active")
    list_filter = ("county", "kind", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("township",)


class OrganizationResource(CleanTextResourceMixin, resources.ModelResource):
    county = fields.Field(
        attribute="county", column_name="区县代码", widget=ForeignKeyWidget(OrgUnit, "code")
    )

    class Meta:
        model = Organization
        import_id_fields = ("name",)
        fields = ("name", "kind", "level", "county")
        skip_unchanged = True


@admin.register(Organization)
class OrganizationAdmin(ImportExportModelAdmin):
    resource_classes = [OrganizationResource]
    list_display = ("name", "kind", "level", "county")
    list_filter = ("kind", "level", "county")
    search_fields = ("name",)
