from django.contrib import admin

from .models import Delivery, Notification, Reminder


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "rule", "text", "read_at")
    list_filter = ("rule",)
    raw_id_fields = ("recipient",)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "run_date", "rule", "period", "recipient", "target_id")
    list_filter = ("rule", "run_date")
    raw_id_fields = ("recipient", "notification")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "status", "attempts", "error", "notification_id")
    list_filter = ("channel", "status")
    raw_id_fields = ("notification",)
