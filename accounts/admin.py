from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ("organization", "province")
    readonly_fields = ("requested_at", "decided_at", "decided_by")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class GisplanUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = (*UserAdmin.list_display, "profile_status")
    list_filter = (*UserAdmin.list_filter, "profile__status", "profile__role")

    @admin.display(description="status", ordering="profile__status")
    def profile_status(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_status_display() if profile else "—"
