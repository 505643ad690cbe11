"""Forms of the planning pages: plans, strategies, amendments, a project's place in the plan,
reference frameworks and provincial strategies. Years are B.E.; dates are typed d/m/yyyy (B.E.)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.plaintext import check_text_fields
from projects_geo.forms import BEDateField

from .models import (
    MAX_YEAR,
    MIN_YEAR,
    DevelopmentPlan,
    Framework,
    FrameworkItem,
    FrameworkKind,
    PlanAmendment,
    PlanStrategy,
    ProvincialStrategy,
)

YEAR_ATTRS = {"min": MIN_YEAR, "max": MAX_YEAR, "inputmode": "numeric"}


class PlanForm(forms.ModelForm):
    council_approved_on = BEDateField(
        label=_("council approval date"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "15/6/2565", "size": 12}),
    )

    class Meta:
        model = DevelopmentPlan
        fields = ["start_year", "end_year", "vision", "council_approved_on", "note"]
        widgets = {
            "start_year": forms.NumberInput(attrs=YEAR_ATTRS),
            "end_year": forms.NumberInput(attrs=YEAR_ATTRS),
            "vision": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.instance.organization = organization
        check_text_fields(self, one_line=("note",), multiline=("vision",))


class StrategyForm(forms.ModelForm):
    class Meta:
        model = PlanStrategy
        fields = ["code", "name_th", "name_en", "framework_items", "provincial_strategies"]
        widgets = {
            "framework_items": forms.CheckboxSelectMultiple,
            "provincial_strategies": forms.CheckboxSelectMultiple,
            "name_th": forms.TextInput(attrs={"size": 60}),
            "name_en": forms.TextInput(attrs={"size": 60}),
        }

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        plan = plan or self.instance.plan
        self.instance.plan = plan
        # frameworks and provincial strategies of periods that meet the plan's
        self.fields["framework_items"].queryset = (
            FrameworkItem.objects.filter(
                framework__start_year__lte=plan.end_year, framework__end_year__gte=plan.start_year
            )
            .select_related("framework")
            .order_by("framework__kind", "framework__start_year", "order")
        )
        self.fields["framework_items"].label_from_instance = _item_label
        self.fields["provincial_strategies"].queryset = ProvincialStrategy.objects.filter(
            province_id=plan.organization.province_id, start_year__lte=plan.end_year, end_year__gte=plan.start_year
        )
        check_text_fields(self, one_line=("code", "name_th", "name_en"))

    def clean_code(self):
        code = self.cleaned_data["code"]
        others = PlanStrategy.objects.filter(plan=self.instance.plan, code=code).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("The plan already has a strategy numbered %(code)s.") % {"code": code})
        return code


def _item_label(item):
    return f"{FrameworkKind(item.framework.kind).label} {item.code}: {item.name_th}"


class AmendmentForm(forms.ModelForm):
    date = BEDateField(label=_("date (B.E.)"), widget=forms.TextInput(attrs={"placeholder": "1/3/2567", "size": 12}))
    council_approved_on = BEDateField(
        label=_("council approval date"), required=False, widget=forms.TextInput(attrs={"size": 12})
    )

    class Meta:
        model = PlanAmendment
        fields = ["kind", "number", "date", "council_approved_on", "note"]

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.instance.plan = plan
        check_text_fields(self, one_line=("note",))


class ProjectLinkForm(forms.Form):
    """A project's plan, strategy and plan years; the choices are the project's LAO's plans."""

    plan = forms.ModelChoiceField(label=_("development plan"), queryset=DevelopmentPlan.objects.none(), required=False)
    strategy = forms.ModelChoiceField(label=_("strategy"), queryset=PlanStrategy.objects.none(), required=False)
    years = forms.TypedMultipleChoiceField(
        label=_("plan years (B.E.)"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organization, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = DevelopmentPlan.objects.filter(organization=organization)
        self.fields["plan"].label_from_instance = lambda p: f"{p.start_year}–{p.end_year}"
        self.fields["strategy"].queryset = PlanStrategy.objects.filter(plan__organization=organization).select_related(
            "plan"
        )
        self.fields["strategy"].label_from_instance = lambda s: f"{s.plan.start_year}–{s.plan.end_year} · {s}"
        self.fields["years"].choices = [(y, str(y)) for y in years]


class FrameworkForm(forms.ModelForm):
    class Meta:
        model = Framework
        fields = ["kind", "code", "name_th", "name_en", "start_year", "end_year", "version"]
        widgets = {"start_year": forms.NumberInput(attrs=YEAR_ATTRS), "end_year": forms.NumberInput(attrs=YEAR_ATTRS)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_text_fields(self, one_line=("code", "name_th", "name_en", "version"))


FrameworkItemFormSet = forms.inlineformset_factory(
    Framework,
    FrameworkItem,
    fields=["code", "name_th", "name_en", "order"],
    extra=1,
    can_delete=True,
    widgets={"name_th": forms.TextInput(attrs={"size": 50}), "name_en": forms.TextInput(attrs={"size": 50})},
)


class ProvincialStrategyForm(forms.ModelForm):
    class Meta:
        model = ProvincialStrategy
        fields = ["code", "name_th", "name_en", "start_year", "end_year", "order"]
        widgets = {"start_year": forms.NumberInput(attrs=YEAR_ATTRS), "end_year": forms.NumberInput(attrs=YEAR_ATTRS)}

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        if province is not None:
            self.instance.province = province
        check_text_fields(self, one_line=("code", "name_th", "name_en"))

    def clean(self):
        data = super().clean()
        code, start = data.get("code"), data.get("start_year")
        same = ProvincialStrategy.objects.filter(province=self.instance.province, code=code, start_year=start)
        if code and start and same.exclude(pk=self.instance.pk).exists():
            self.add_error(
                "code", _("The province already has a strategy numbered %(code)s for this period.") % {"code": code}
            )
        return data
