"""The weekly digest of a province: what each LAO entered or changed in the week (projects created
and changed, budget stages recorded — and how many of those the provincial office recorded on the
LAO's behalf), shown on a page and e-mailed to the analysts who subscribe
(``manage.py send_weekly_digest``, weekly; a background job once the task queue has landed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import access
from layers.models import Organization, Province
from projects_geo.models import Project, ProjectStage

from .models import DigestSubscription

WEEK = dt.timedelta(days=7)


@dataclass
class DigestLine:
    organization: Organization
    created: int = 0
    changed: int = 0
    stages: int = 0
    on_behalf: int = 0

    @property
    def total(self) -> int:
        return self.created + self.changed + self.stages


def weekly_digest(province_id, until: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime, list[DigestLine]]:
    """(since, until, one line per LAO of the province that entered or changed something in the
    week before ``until``, most active first). ``province_id`` None: the whole country."""
    until = until or timezone.now()
    since = until - WEEK
    projects = Project.history.filter(history_date__gte=since, history_date__lt=until)
    stages = ProjectStage.history.filter(history_date__gte=since, history_date__lt=until, history_type="+")
    if province_id is not None:
        projects = projects.filter(organization__province_id=province_id)
        stages = stages.filter(project__organization__province_id=province_id)
    lines: dict[int, DigestLine] = {}
    for r in (
        projects.values("organization_id")
        .annotate(
            created=Count("history_id", filter=Q(history_type="+")),
            changed=Count("history_id", filter=Q(history_type="~")),
            on_behalf=Count("history_id", filter=Q(on_behalf=True)),
        )
        .order_by()
    ):
        lines[r["organization_id"]] = DigestLine(None, r["created"], r["changed"], 0, r["on_behalf"])
    for r in (
        stages.values("project__organization_id")
        .annotate(n=Count("history_id"), on_behalf=Count("history_id", filter=Q(on_behalf=True)))
        .order_by()
    ):
        line = lines.setdefault(r["project__organization_id"], DigestLine(None))
        line.stages += r["n"]
        line.on_behalf += r["on_behalf"]
    orgs = Organization.objects.select_related("province").in_bulk(list(lines))
    for pk, line in lines.items():
        line.organization = orgs[pk]
    ordered = sorted(lines.values(), key=lambda x: (-x.total, x.organization.dla_code))
    return since, until, ordered


def _send_one(sub: DigestSubscription, until: dt.datetime) -> bool:
    user = sub.user
    province_id = access.follow_up_province(user)
    if province_id is False or not user.email or not user.is_active:
        return False
    since, until, lines = weekly_digest(province_id, until)
    province = Province.objects.without_geom().filter(pk=province_id).first() if province_id else None
    with translation.override("th"):
        context = {"since": since, "until": until, "lines": lines, "province": province}
        subject = _("gisplan: weekly digest of data entry")
        body = render_to_string("monitoring/digest_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    sub.last_sent_at = until
    sub.save(update_fields=["last_sent_at"])
    return True


def send_digests(until: dt.datetime | None = None) -> int:
    """E-mail the week's digest to every subscriber who may read one; returns how many were sent."""
    until = until or timezone.now()
    sent = 0
    for sub in DigestSubscription.objects.select_related("user__profile"):
        sent += _send_one(sub, until)
    return sent
