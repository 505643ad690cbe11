"""Pages of the planning app: an LAO's development plans (list, plan with its strategies and
amendments), a project's place in the plan, the reference frameworks (DLA) and a province's
strategies (provincial office). Who may read or change what: ``accounts.access``; something the
user may not read is a 404, a change they may not make a 403."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import access
from layers.models import Organization, Province
from projects_geo.models import Project

from . import services
from .forms import (
    AmendmentForm,
    FrameworkForm,
    FrameworkItemFormSet,
    PlanForm,
    ProjectLinkForm,
    ProvincialStrategyForm,
    StrategyForm,
)
from .models import DevelopmentPlan, Framework, FrameworkItem, PlanStrategy, ProjectPlanLink, ProvincialStrategy

DLA_CODE = re.compile(r"[0-9]{7}")
PROVINCE_CODE = re.compile(r"[0-9]{2}")


def _add_errors(form, exc: ValidationError):
    for field, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        form.add_error(field if field in form.fields else None, msgs)


def _visible_organization(user, dla_code):
    if not DLA_CODE.fullmatch(dla_code):  # names no LAO (a NUL would not even reach PostgreSQL)
        raise Http404
    return get_object_or_404(access.visible_organizations(user).select_related("province"), dla_code=dla_code)


def _plan_of(user, plan_id):
    plan = get_object_or_404(DevelopmentPlan.objects.select_related("organization__province"), pk=plan_id)
    if not access.can_view_plans(user, plan.organization):
        raise Http404
    return plan


@login_required
def index(request):
    own = access.organization_of(request.user)
    if own is not None:
        return redirect("planning:plans", dla_code=own.dla_code)
    province = access.province_of(request.user)
    return render(
        request,
        "planning/index.html",
        {"province": province, "can_edit_frameworks": access.can_edit_frameworks(request.user)},
    )


@login_required
def plans(request, dla_code):
    organization = _visible_organization(request.user, dla_code)
    editable = access.can_edit_plans(request.user, organization)
    form = PlanForm(organization=organization)
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may not change this LAO's development plans."))
        form = PlanForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                plan = services.save_plan(form.save(commit=False))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The development plan is saved."))
                return redirect("planning:plan", plan_id=plan.pk)
        status = 400
    rows = (
        DevelopmentPlan.objects.filter(organization=organization)
        .annotate(n_strategies=Count("strategies", distinct=True), n_projects=Count("project_links", distinct=True))
        .order_by("-start_year")
    )
    return render(
        request,
        "planning/plans.html",
        {"organization": organization, "plans": rows, "form": form, "editable": editable},
        status=status,
    )


def _plan_post(request, plan):
    """The plan page's three forms; returns (forms by name, saved?)."""
    action = request.POST.get("action")
    forms = {}
    if action == "plan":
        form = forms["plan_form"] = PlanForm(request.POST, instance=plan, organization=plan.organization)
        if form.is_valid():
            try:
                services.save_plan(form.save(commit=False))
                return forms, True
            except ValidationError as exc:
                _add_errors(form, exc)
    elif action == "strategy":
        form = forms["strategy_form"] = StrategyForm(request.POST, plan=plan)
        if form.is_valid():
            services.save_strategy(
                form.save(commit=False),
                framework_items=form.cleaned_data["framework_items"],
                provincial_strategies=form.cleaned_data["provincial_strategies"],
            )
            return forms, True
    elif action == "amendment":
        form = forms["amendment_form"] = AmendmentForm(request.POST, plan=plan)
        if form.is_valid():
            form.save()
            return forms, True
    return forms, False


@login_required
def plan_page(request, plan_id):
    plan = _plan_of(request.user, plan_id)
    editable = access.can_edit_plans(request.user, plan.organization)
    bound, status = {}, 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may not change this LAO's development plans."))
        bound, saved = _plan_post(request, plan)
        if saved:
            messages.success(request, _("Saved."))
            return redirect("planning:plan", plan_id=plan.pk)
        status = 400
        plan.refresh_from_db()
    strategies = plan.strategies.prefetch_related(
        Prefetch("framework_items", queryset=FrameworkItem.objects.select_related("framework")),
        "provincial_strategies",
    ).annotate(n_projects=Count("project_links"))
    context = {
        "plan": plan,
        "organization": plan.organization,
        "editable": editable,
        "strategies": strategies,
        "amendments": plan.amendments.all(),
        "plan_form": bound.get("plan_form") or PlanForm(instance=plan, organization=plan.organization),
        "strategy_form": bound.get("strategy_form") or StrategyForm(plan=plan),
        "amendment_form": bound.get("amendment_form") or AmendmentForm(plan=plan),
    }
    return render(request, "planning/plan.html", context, status=status)


@login_required
def strategy_page(request, strategy_id):
    strategy = get_object_or_404(PlanStrategy.objects.select_related("plan__organization__province"), pk=strategy_id)
    plan = strategy.plan
    if not access.can_view_plans(request.user, plan.organization):
        raise Http404
    editable = access.can_edit_plans(request.user, plan.organization)
    form, status = StrategyForm(instance=strategy, plan=plan), 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may not change this LAO's development plans."))
        form = StrategyForm(request.POST, instance=strategy, plan=plan)
        if form.is_valid():
            services.save_strategy(
                form.save(commit=False),
                framework_items=form.cleaned_data["framework_items"],
                provincial_strategies=form.cleaned_data["provincial_strategies"],
            )
            messages.success(request, _("Saved."))
            return redirect("planning:plan", plan_id=plan.pk)
        status = 400
    return render(
        request,
        "planning/strategy.html",
        {"strategy": strategy, "plan": plan, "form": form, "editable": editable},
        status=status,
    )


@login_required
def project_link(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user).select_related("organization"), pk=pk)
    editable = access.can_link_project_plan(request.user, project)
    link = ProjectPlanLink.objects.filter(project=project).first()
    years = services.plan_years(project.organization)
    initial = {"plan": link.plan_id, "strategy": link.strategy_id, "years": link.years} if link else {}
    form, status = ProjectLinkForm(initial=initial, organization=project.organization, years=years), 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("You may not change this project."))
        form = ProjectLinkForm(request.POST, organization=project.organization, years=years)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.link_project(project, data["plan"], data["strategy"], data["years"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The project's place in the plan is saved."))
                return redirect("projects_geo:project_edit", pk=project.pk)
        status = 400
    return render(
        request,
        "planning/project_link.html",
        {"project": project, "form": form, "editable": editable, "link": link},
        status=status,
    )


@login_required
def frameworks(request):
    if not access.can_view_frameworks(request.user):
        raise PermissionDenied
    editable = access.can_edit_frameworks(request.user)
    form, status = FrameworkForm(), 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only DLA changes the reference frameworks."))
        form = FrameworkForm(request.POST)
        if form.is_valid():
            framework = form.save()
            return redirect("planning:framework", framework_id=framework.pk)
        status = 400
    rows = Framework.objects.annotate(n_items=Count("items")).order_by("kind", "-start_year")
    return render(
        request, "planning/frameworks.html", {"frameworks": rows, "form": form, "editable": editable}, status=status
    )


@login_required
def framework_page(request, framework_id):
    if not access.can_view_frameworks(request.user):
        raise PermissionDenied
    framework = get_object_or_404(Framework, pk=framework_id)
    editable = access.can_edit_frameworks(request.user)
    form, items, status = FrameworkForm(instance=framework), FrameworkItemFormSet(instance=framework), 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only DLA changes the reference frameworks."))
        form = FrameworkForm(request.POST, instance=framework)
        items = FrameworkItemFormSet(request.POST, instance=framework)
        if form.is_valid() and items.is_valid():
            form.save()
            items.save()
            messages.success(request, _("Saved."))
            return redirect("planning:framework", framework_id=framework.pk)
        status = 400
    return render(
        request,
        "planning/framework.html",
        {"framework": framework, "form": form, "items": items, "editable": editable},
        status=status,
    )


@login_required
def provincial_strategies(request, province_code):
    if not PROVINCE_CODE.fullmatch(province_code):
        raise Http404
    province = Province.objects.without_geom().filter(code=province_code).first()
    if province is None or not access.can_view_provincial_strategies(request.user, province):
        raise Http404
    editable = access.can_edit_provincial_strategies(request.user, province)
    form, status = ProvincialStrategyForm(province=province), 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only the provincial office changes the province's strategies."))
        form = ProvincialStrategyForm(request.POST, province=province)
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("planning:provincial", province_code=province.code)
        status = 400
    return render(
        request,
        "planning/provincial.html",
        {
            "province": province,
            "strategies": ProvincialStrategy.objects.filter(province=province),
            "form": form,
            "editable": editable,
            "laos": Organization.objects.filter(province=province).count(),
        },
        status=status,
    )
