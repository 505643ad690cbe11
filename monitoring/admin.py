from django.contrib import admin

from .models import CalendarItem, DigestSubscription


@admin.register(CalendarItem)
class CalendarItemAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "title_en",
        "province",
        "stage",
        "share",
        "due_month",
        "due_day",
        "completeness",
        "timeliness",
    )
    list_filter = ("province", "stage")


admin.site.register(DigestSubscription)
