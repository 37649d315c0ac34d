from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiKey, AppToken, User


@admin.register(User)
class OpenboroughUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("openborough", {"fields": ("role",)}),)
    list_display = ("username", "email", "role", "is_active")


admin.site.register(AppToken)
admin.site.register(ApiKey)
