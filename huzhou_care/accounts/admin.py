from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from huzhou_care.crypto.fields import EncryptedField

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "full_name",
        "phone_masked",  # the stored masked form: the list never decrypts a phone
        "role",
        "district",
        "school",
        "organization",
        "is_active",
    )
    list_filter = ("role", "district", "is_active")
    search_fields = ("username", "full_name")
    raw_id_fields = ("school", "organization")
    # The phone is an encrypted text column: a one-line input, not the admin's textarea for
    # text columns (and cleaned as one line of text).
    formfield_overrides = {EncryptedField: {"widget": widgets.AdminTextInputWidget}}
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "角色与范围",
            {"fields": ("full_name", "phone", "role", "district", "school", "organization")},
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        ("角色与范围", {"fields": ("full_name", "role", "district", "school", "organization")}),
    )
