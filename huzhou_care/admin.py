from django.contrib import admin


class PortalAdminSite(admin.AdminSite):
    site_header = "我们在一起 · 系统管理"
    site_title = "系统管理"
    index_title = "参考数据与账号"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_city_admin)
