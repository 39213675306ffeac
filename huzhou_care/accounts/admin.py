from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "full_name",
        "role",
        "district",
        "school",
        "organization",
        "is_active",
    )
    list_filter = ("role", "district", "is_active")
    search_fields = ("username", "full_name")
    raw_id_fields = ("school", "organization")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "角色与范围",
            {"fields": ("full_name", "phone", "role", "district", "school", "organization")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("角色与范围", {"fields": ("full_name", "role", "district", "school", "organization")}),
    )
