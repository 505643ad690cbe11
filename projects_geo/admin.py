"""Admin for projects; saving goes through services.save_project so the units are filled in."""

from django import forms
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin
from simple_history.admin import SimpleHistoryAdmin

from .concurrency import ConflictError, VersionedFormMixin
from .models import Project, ProjectStage, ProjectTambon
from .services import save_project
from .validation import validate


class ProjectAdminForm(VersionedFormMixin, forms.ModelForm):
    """Runs boundary validation in the form, so errors show beside the map instead of a 500, and
    takes part in optimistic locking like the entry form: the version the page was built from is a
    hidden field, and a save on a stale version is refused with the reason (nothing written)."""

    # Declared (not only added in __init__) so the admin's fieldsets render it, hidden.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        # What a person may change; the boundary columns, stages, history and audit fields are
        # derived (ProjectAdmin.readonly_fields shows them).
        fields = (
            "organization",
            "kind",
            "subtype",
            "name",
            "fiscal_year",
            "plan_reference",
            "source_ref",
            "budget",
            "funding_source",
            "geom",
        )

    def clean(self):
        cleaned = super().clean()
        geom, org, kind = cleaned.get("geom"), cleaned.get("organization"), cleaned.get("kind")
        self.validation_result = None
        if geom is not None and org is not None and kind:
            result = validate(
                geom, org, kind, fiscal_year=cleaned.get("fiscal_year"), exclude_project_id=self.instance.pk
            )
            for finding in result.errors:
                self.add_error("geom", finding.as_dict()["message"])
            self.validation_result = result
        if self.instance.pk and cleaned.get("version") is not None:
            current = Project.all_objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != cleaned["version"]:
                self.add_conflict(ConflictError(expected_version=cleaned["version"], current_version=current))
        return cleaned


class ProjectStageInline(admin.TabularInline):
    """Stages are shown here; they are recorded in order through the project page or the API."""

    model = ProjectStage
    extra = 0
    can_delete = False
    fields = ("stage", "date", "amount", "note", "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ProjectTambonInline(admin.TabularInline):
    model = ProjectTambon
    extra = 0
    can_delete = False
    readonly_fields = ("tambon", "share")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin, LeafletGeoAdmin):
    list_display = ("name", "organization", "kind", "subtype", "fiscal_year", "current_stage", "budget", "tambon")
    list_filter = ("kind", "fiscal_year", "current_stage", "province", "deleted_at")
    list_select_related = ("organization", "tambon")
    search_fields = ("name", "organization__name_th", "organization__dla_code")
    autocomplete_fields = ("organization",)
    readonly_fields = (
        "province",
        "amphoe",
        "tambon",
        "length_m",
        "current_stage",
        "validation_findings",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "deleted_at",
        "deleted_by",
    )
    inlines = [ProjectTambonInline, ProjectStageInline]
    form = ProjectAdminForm
    # The model's version is not editable; the form's own hidden "version" (declared, so it is
    # still rendered) carries the version the page was built from.
    exclude = ("version",)

    def get_queryset(self, request):
        # Soft-deleted projects stay reachable here (and restorable from the project pages).
        return Project.all_objects.select_related("organization", "tambon")

    def save_model(self, request, obj, form, change):
        save_project(
            obj,
            user=request.user,
            result=getattr(form, "validation_result", None),
            expected_version=form.expected_version if change else None,
        )
