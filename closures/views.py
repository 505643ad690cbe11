"""DLA's closure windows: the list (everyone signed in), scheduling and removing them (DLA only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access

from .forms import ClosureForm
from .models import Closure


@login_required
def closure_list(request):
    national = access.is_national(request.user)
    form = ClosureForm()
    status = 200
    if request.method == "POST":
        if not national:
            raise PermissionDenied(_("Only DLA schedules closures."))
        form = ClosureForm(request.POST)
        if form.is_valid():
            closure = form.save(commit=False)
            closure.created_by = request.user
            closure.save()
            messages.success(request, _("The closure is scheduled."))
            return redirect("closures:list")
        status = 400
    closures = Closure.objects.filter(ends_at__gt=timezone.now() - timezone.timedelta(days=90)).select_related(
        "province"
    )
    return render(
        request, "closures/list.html", {"closures": closures, "form": form, "can_schedule": national}, status=status
    )


@login_required
@require_POST
def closure_delete(request, pk):
    if not access.is_national(request.user):
        raise PermissionDenied(_("Only DLA schedules closures."))
    get_object_or_404(Closure, pk=pk).delete()
    messages.success(request, _("The closure is removed."))
    return redirect("closures:list")
