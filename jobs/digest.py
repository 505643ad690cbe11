"""The daily digest e-mail of Celery beat: each active provincial analyst with an e-mail address
gets, when anything changed, the number of projects created and changed in their province in the
last day, by LAO (Thai first, English second). Nothing is sent on a day without changes."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import visible_projects
from accounts.models import ProfileStatus, Role
from projects_geo.models import Project


def _changes(user, since):
    qs = visible_projects(user, Project.objects.filter(updated_at__gte=since))
    return list(
        qs.values("organization__dla_code", "organization__name_th")
        .annotate(created=Count("id", filter=Q(created_at__gte=since)), changed=Count("id"))
        .order_by("organization__dla_code")
    )


def _body(rows) -> str:
    parts = []
    for lang in ("th", "en"):
        with translation.override(lang):
            lines = [_("Projects created and changed in your province in the last 24 hours:")]
            lines += [
                _("%(lao)s (%(code)s): %(created)s created, %(changed)s changed")
                % {
                    "lao": r["organization__name_th"],
                    "code": r["organization__dla_code"],
                    "created": r["created"],
                    "changed": r["changed"] - r["created"],
                }
                for r in rows
            ]
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def send_daily_digests(now=None) -> int:
    """Send the digests; answers how many e-mails were sent."""
    since = (now or timezone.now()) - timedelta(days=1)
    analysts = get_user_model().objects.filter(
        is_active=True, profile__role=Role.PROVINCIAL_ANALYST, profile__status=ProfileStatus.ACTIVE
    )
    sent = 0
    for user in analysts.exclude(email="").select_related("profile"):
        rows = _changes(user, since)
        if not rows:
            continue
        with translation.override("th"):
            subject = _("gisplan: today's project changes in your province")
        with translation.override("en"):
            subject += " / " + _("gisplan: today's project changes in your province")
        sent += send_mail(subject, _body(rows), None, [user.email], fail_silently=False)
    return sent
