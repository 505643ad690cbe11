"""Deadline reminders: each LAO that is late on one of today's calendar items gets an e-mail (Thai
first, English second) to its staff with an address, naming each late item, its deadline and the
days overdue. Run weekly by Celery beat (``jobs.tasks.send_deadline_reminders``) or by hand
(``manage.py send_deadline_reminders``); one e-mail per late LAO per run, none for an LAO that is
done or still on time."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils import translation

from accounts.models import LAO_ROLES, ProfileStatus
from common.thai_format import format_be_date
from layers.models import Province

from .behind import LATE, LaoStatus, follow_up


def _body(row: LaoStatus, fiscal_year: int) -> tuple[str, str]:
    with translation.override("th"):
        name = row.organization.display_name
    with translation.override("en"):
        name_en = row.organization.display_name
    late = [s for s in row.items if s.status == LATE]
    th = [f"{name}: ข้อมูลในระบบ gisplan ล่าช้ากว่าปฏิทินงาน ปีงบประมาณ {fiscal_year}"]
    en = [f"{name_en}: data in gisplan is behind the fiscal-year {fiscal_year} calendar"]
    for s in late:
        due = s.item.due(fiscal_year)
        th.append(
            f"- {s.item.title_th} (กำหนด {format_be_date(due, 'th')}, ล่าช้า {s.days_late} วัน;"
            f" บันทึกแล้ว {s.reached} จาก {s.projects} โครงการ)"
        )
        en.append(
            f"- {s.item.title_en} (due {format_be_date(due, 'en')}, {s.days_late} days late;"
            f" {s.reached} of {s.projects} projects recorded)"
        )
    subject = f"gisplan: {name} ล่าช้ากว่ากำหนด / behind the calendar"
    return subject, "\n".join(th) + "\n\n" + "\n".join(en) + "\n"


def _recipients(organization_ids) -> dict[int, list[str]]:
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            profile__status=ProfileStatus.ACTIVE,
            profile__role__in=LAO_ROLES,
            profile__organization_id__in=organization_ids,
        )
        .exclude(email="")
    )
    out: dict[int, list[str]] = {}
    for org_id, email in users.values_list("profile__organization_id", "email"):
        out.setdefault(org_id, []).append(email)
    return out


def send_deadline_reminders(today: dt.date | None = None) -> int:
    """E-mail every late LAO's staff (province by province, so each province's own items count);
    returns the number of e-mails sent."""
    today = today or dt.date.today()
    messages = []
    for province_id in Province.objects.order_by("code").values_list("pk", flat=True):
        result = follow_up(province_id, today)
        late = [row for row in result.rows if row.status == LATE]
        if not late:
            continue
        emails = _recipients([row.organization.pk for row in late])
        for row in late:
            to = emails.get(row.organization.pk)
            if to:
                subject, body = _body(row, result.fiscal_year)
                messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, sorted(to)))
    return send_mass_mail(messages, fail_silently=False) if messages else 0
