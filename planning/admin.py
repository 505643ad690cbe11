"""The Django admin's view of the planning data (the app's own pages are the usual way in)."""

from django.contrib import admin

from .models import (
    DevelopmentPlan,
    Framework,
    FrameworkItem,
    PlanAmendment,
    PlanStrategy,
    ProjectPlanLink,
    ProvincialStrategy,
)


class FrameworkItemInline(admin.TabularInline):
    model = FrameworkItem
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "name_th", "start_year", "end_year", "version")
    list_filter = ("kind",)
    inlines = [FrameworkItemInline]


class PlanStrategyInline(admin.StackedInline):
    model = PlanStrategy
    extra = 0
    filter_horizontal = ("framework_items", "provincial_strategies")


class PlanAmendmentInline(admin.TabularInline):
    model = PlanAmendment
    extra = 0


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(admin.ModelAdmin):
    list_display = ("organization", "start_year", "end_year", "council_approved_on")
    list_select_related = ("organization",)
    search_fields = ("organization__dla_code", "organization__name_th")
    raw_id_fields = ("organization",)
    inlines = [PlanStrategyInline, PlanAmendmentInline]


@admin.register(ProvincialStrategy)
class ProvincialStrategyAdmin(admin.ModelAdmin):
    list_display = ("province", "code", "name_th", "start_year", "end_year")
    list_filter = ("province",)


@admin.register(ProjectPlanLink)
class ProjectPlanLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "plan", "strategy", "years")
    raw_id_fields = ("project", "plan", "strategy")
