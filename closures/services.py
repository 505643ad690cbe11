"""Is the system closed for this user now? The one answer the middleware, the import commit and
the pages ask.

A closure applies to everyone (``province`` empty) or to the users of one province (an LAO's staff,
its provincial office); DLA administrators are never closed out. While one is in force every write
is refused (``SystemClosed``: Thai and English, with the seconds until it ends for ``Retry-After``).
"""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import access
from common.thai_format import format_be_date

from .models import Closure

CLOSED = _(
    "gisplan is closed for data entry until %(end)s (%(reason)s). Nothing was saved. Reading, maps, "
    "reports and exports keep working."
)
ANNOUNCED = _("gisplan will be closed for data entry from %(start)s until %(end)s: %(reason)s.")
IN_FORCE = _("gisplan is closed for data entry until %(end)s: %(reason)s. Reading, reports and exports work.")


class SystemClosed(ValidationError):
    """A write refused because a closure is in force; ``message_th``/``message_en``, ``retry_after``.
    A ValidationError, so a form that calls the domain shows it like any refusal."""

    code = "closed"

    def __init__(self, closure: Closure, at: dt.datetime | None = None):
        self.closure = closure
        at = at or timezone.now()
        self.retry_after = max(1, math.ceil((closure.ends_at - at).total_seconds()))
        texts = texts_of(CLOSED, closure)
        self.message_th, self.message_en = texts["message_th"], texts["message_en"]
        super().__init__(f"{self.message_th} / {self.message_en}", code="closed")

    def as_dict(self) -> dict:
        return {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}


def _when(moment: dt.datetime, language: str) -> str:
    local = timezone.localtime(moment)
    return f"{format_be_date(local.date(), language)} {local:%H:%M}"


def text_of(message, closure: Closure, language: str) -> str:
    with translation.override(language):
        return str(message) % {
            "start": _when(closure.starts_at, language),
            "end": _when(closure.ends_at, language),
            "reason": closure.reason(language),
        }


def texts_of(message, closure: Closure) -> dict[str, str]:
    """The message about ``closure`` in Thai and in English (each with the reason in its language)."""
    return {"message_th": text_of(message, closure, "th"), "message_en": text_of(message, closure, "en")}


def _applies(province_id) -> Q:
    return Q(province__isnull=True) | Q(province_id=province_id) if province_id else Q(province__isnull=True)


def closure_in_force(province_id=None, at: dt.datetime | None = None) -> Closure | None:
    """The closure in force at ``at`` (now) for a province's users (None: national ones only)."""
    at = at or timezone.now()
    return Closure.objects.filter(_applies(province_id), starts_at__lte=at, ends_at__gt=at).order_by("-ends_at").first()


def closure_for(user, province_id=None, at: dt.datetime | None = None) -> Closure | None:
    """The closure that keeps ``user`` from writing now (about ``province_id``, else the user's own
    province), or None: DLA administrators are never closed out."""
    if access.is_national(user):
        return None
    if province_id is None:
        province = access.province_of(user)
        province_id = province.pk if province is not None else None
    return closure_in_force(province_id, at)


def check_open(user, province_id=None, at: dt.datetime | None = None) -> None:
    """Raise ``SystemClosed`` when a closure keeps ``user`` from writing now."""
    closure = closure_for(user, province_id, at)
    if closure is not None:
        raise SystemClosed(closure, at)


def announced_for(user, at: dt.datetime | None = None) -> list[Closure]:
    """Closures to announce to ``user`` now: in force, or starting within their ``announce_days``."""
    at = at or timezone.now()
    province = access.province_of(user) if not access.is_national(user) else None
    qs = Closure.objects.filter(ends_at__gt=at, starts_at__lte=at + dt.timedelta(days=366)).select_related("province")
    if not access.is_national(user):
        qs = qs.filter(_applies(province.pk if province is not None else None))
    return [c for c in qs.order_by("starts_at") if c.starts_at - dt.timedelta(days=c.announce_days) <= at]
