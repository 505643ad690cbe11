"""Accounts pages: registration, the LAO search it uses, the approvals page, and the answer to a
locked sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common import httpauth
from common.apierrors import errors_as_list

from . import access, registration
from .forms import LaoSearchForm, RegistrationForm
from .models import ProfileStatus


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("/")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            registration.register(
                user,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data.get("organization"),
                province=form.cleaned_data.get("province"),
            )
        return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


@require_GET
def register_done(request):
    return render(request, "accounts/register_done.html")


@require_GET
def lao_search(request):
    """Public registry data (code, name, province) for the registration page's LAO list."""
    form = LaoSearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": _form_errors(form)}, status=400, json_dumps_params={"ensure_ascii": False})
    laos = registration.find_laos(form.cleaned_data["q"], limit=20)
    return JsonResponse(
        {
            "results": [
                {"dla_code": o.dla_code, "name_th": o.name_th, "name_en": o.name_en, "province": o.province.name_th}
                for o in laos
            ]
        }
    )


@login_required
@require_GET
def approvals(request):
    if not access.is_account_admin(request.user):
        raise PermissionDenied
    pending = (
        access.approvable_profiles(request.user)
        .filter(status=ProfileStatus.PENDING)
        .select_related("user", "organization__province", "province")
        .order_by("requested_at", "pk")
    )
    return render(request, "accounts/approvals.html", {"pending": pending})


@login_required
@require_POST
def decide(request, profile_id, decision):
    profile = get_object_or_404(access.approvable_profiles(request.user).select_related("user"), pk=profile_id)
    try:
        if decision == "approve":
            registration.approve(profile, by=request.user)
            messages.success(request, _("Account %(user)s approved.") % {"user": profile.user.get_username()})
        else:
            registration.reject(profile, by=request.user)
            messages.success(request, _("Account %(user)s rejected.") % {"user": profile.user.get_username()})
    except ValidationError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from exc
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:approvals")


def _form_errors(form) -> list[dict]:
    return errors_as_list(ValidationError(form.errors.as_data()))


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in refused because the account or the address is locked
    (``AXES_LOCKOUT_CALLABLE``; accounts/throttle.py): HTTP Basic clients get the JSON 429 of
    ``common.httpauth``, people the sign-in page with the reason in Thai and English (429 too)."""
    if request.META.get("HTTP_AUTHORIZATION"):
        return httpauth.locked_out(request)
    seconds = httpauth.retry_after(request)
    context = {
        "form": AuthenticationForm(request),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "locked_out": httpauth.locked_out_errors(seconds)[0],
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
