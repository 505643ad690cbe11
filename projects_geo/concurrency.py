"""Optimistic locking of projects: no lost updates when two people edit the same project.

Every save of a ``Project`` moves its ``version`` on by one (``Project.save``). A form or API
client sends back the version it was built from; ``check_version`` locks the row and raises
``ConflictError`` when someone else saved in between, so the second save is refused (nothing is
written) with a message in Thai and English instead of silently overwriting the first.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Project

MESSAGE_EN = (
    "Someone else saved this project while you were editing it (your version {expected}, now version "
    "{current}). Nothing of yours was saved: reload the project to see their changes, then make "
    "your changes again."
)
MESSAGE_TH = (
    "มีผู้อื่นบันทึกโครงการนี้ระหว่างที่ท่านแก้ไข (ฉบับของท่าน {expected} ฉบับปัจจุบัน {current}) "
    "ระบบยังไม่ได้บันทึกการแก้ไขของท่าน กรุณาโหลดโครงการใหม่เพื่อดูการเปลี่ยนแปลงของผู้อื่น แล้วแก้ไขอีกครั้ง"
)
DELETED_EN = "This project was deleted while you were editing it; nothing was saved."
DELETED_TH = "โครงการนี้ถูกลบระหว่างที่ท่านแก้ไข ระบบไม่ได้บันทึกการแก้ไขของท่าน"


class ConflictError(ValidationError):
    """A save on a stale version. ``message_th``/``message_en`` say what happened; the message
    in the active language is the ValidationError's own."""

    def __init__(self, *, expected_version, current_version):
        self.expected_version = expected_version
        self.current_version = current_version
        if current_version is None:
            self.message_th, self.message_en = DELETED_TH, DELETED_EN
        else:
            fmt = {"expected": expected_version, "current": current_version}
            self.message_th, self.message_en = MESSAGE_TH.format(**fmt), MESSAGE_EN.format(**fmt)
        lang = (translation.get_language() or "th").split("-")[0]
        super().__init__(self.message_en if lang == "en" else self.message_th, code="conflict")

    def as_dict(self) -> dict:
        return {
            "code": "conflict",
            "message_th": self.message_th,
            "message_en": self.message_en,
            "expected_version": self.expected_version,
            "current_version": self.current_version,
        }


def check_version(project, expected_version, *, locked=None) -> None:
    """Lock the project's row (inside the caller's transaction) and refuse a stale version.

    ``expected_version`` None means the caller does not take part in optimistic locking.
    ``locked``: the project as the caller already read it ``select_for_update`` (no second query).
    """
    if expected_version is None or project.pk is None:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError(_("The project's version must be a whole number."), code="bad_version") from None
    if locked is not None:
        row = {"version": locked.version, "deleted_at": locked.deleted_at}
    else:
        row = Project.all_objects.select_for_update().filter(pk=project.pk).values("version", "deleted_at").first()
    if row is None or row["deleted_at"] is not None:
        raise ConflictError(expected_version=expected, current_version=None)
    if row["version"] != expected:
        raise ConflictError(expected_version=expected, current_version=row["version"])


class VersionedFormMixin:
    """For ModelForms of ``Project``: a hidden ``version`` field holding the version the form was
    built from; pass ``form.expected_version`` to ``save_project(..., expected_version=...)``.

    On a conflict, call ``form.add_conflict(error)``: the error is shown on the form and the hidden
    field keeps the old version, so resubmitting unchanged conflicts again until the user reloads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.initial.setdefault("version", instance.version)

    @property
    def expected_version(self):
        if getattr(self, "instance", None) is None or not self.instance.pk:
            return None
        return self.cleaned_data.get("version") if hasattr(self, "cleaned_data") else None

    def add_conflict(self, error: ConflictError) -> None:
        self.add_error(None, f"{error.message_th} / {error.message_en}")
