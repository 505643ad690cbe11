from django.contrib import admin

from .models import Closure


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "province", "reason_th", "reason_en", "announce_days")
    list_filter = ("province",)
