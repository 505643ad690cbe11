"""Optimistic locking of projects: no lost updates when two people edit the same project.

Every change of a ``Project`` moves its ``version`` on by one (``Project.save``; a budget stage
recorded or removed, ``stages.py``). A form sends back the version it was built from;
``check_version`` locks the row and raises ``ConflictError`` when someone else changed it in
between, so the second change is refused (nothing is written) with a message in Thai and English
instead of silently overwriting the first.

The version is **required** wherever a person changes a project or its stages (the entry form, the
stage panel, delete, restore): the domain functions take ``expected_version=UNCHECKED`` by default
— only code that is not acting for someone with a form open (commands, the sample loader) leaves
it out — and any value a caller passes, including ``None`` or ``""`` when a form sent none, must be
the row's current version: missing or not a whole number is a ``VersionError`` (Thai and English),
and nothing is written.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.bilingual import both

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
VERSION_MESSAGES = {
    "version_missing": _(
        "The form was sent without the project's version, so it cannot be checked that nobody else "
        "changed the project meanwhile. Nothing was saved: reload the page and make your changes again."
    ),
    "bad_version": _(
        "The project's version sent with the form is not a whole number. Nothing was saved: reload "
        "the page and make your changes again."
    ),
}
MAX_VERSION_DIGITS = 18  # a bigint; longer text is not a version (and int() of it is slow)


class _Unchecked:
    def __repr__(self):
        return "UNCHECKED"


UNCHECKED = _Unchecked()
"""``expected_version`` of a caller that does not take part in optimistic locking (the default)."""


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


class VersionError(ValidationError):
    """A change sent without the version it was built from, or with one that is not a whole number
    (``code`` "version_missing" / "bad_version"); ``message_th``/``message_en`` say so."""

    def __init__(self, code: str):
        texts = both(VERSION_MESSAGES[code])
        self.message_th, self.message_en = texts["message_th"], texts["message_en"]
        super().__init__(VERSION_MESSAGES[code], code=code)

    def as_dict(self) -> dict:
        return {"code": self.code, "message_th": self.message_th, "message_en": self.message_en}


def parse_version(value) -> int:
    """The version a form or client sent, as an int ≥ 1; ``VersionError`` when it is missing
    (None, empty) or not a whole number (text of ASCII digits, or an int)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise VersionError("version_missing")
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        if not (text.isascii() and text.isdigit() and len(text) <= MAX_VERSION_DIGITS):
            raise VersionError("bad_version")
        number = int(text)
    if number < 1:
        raise VersionError("bad_version")
    return number


def check_version(project, expected_version=UNCHECKED, *, locked=None, deleted_ok=False) -> None:
    """Lock the project's row (inside the caller's transaction) and refuse a stale version.

    ``expected_version``: ``UNCHECKED`` when the caller does not take part in optimistic locking;
    anything else is parsed by ``parse_version`` (so a form that sent no version is refused, not
    let through) and must be the row's current version. A new project (no pk) has nothing to check.
    ``locked``: the project as the caller already read it ``select_for_update`` (no second query).
    ``deleted_ok``: the row is expected to be soft-deleted (restoring it); otherwise a deleted row
    is a conflict.
    """
    if expected_version is UNCHECKED or project.pk is None:
        return
    expected = parse_version(expected_version)
    if locked is not None:
        row = {"version": locked.version, "deleted_at": locked.deleted_at}
    else:
        row = Project.all_objects.select_for_update().filter(pk=project.pk).values("version", "deleted_at").first()
    if row is None or (row["deleted_at"] is not None and not deleted_ok):
        raise ConflictError(expected_version=expected, current_version=None)
    if row["version"] != expected:
        raise ConflictError(expected_version=expected, current_version=row["version"])


class VersionedFormMixin:
    """For forms that change a ``Project`` (its ModelForm, or a form given ``project=``): a hidden
    ``version`` field holding the version the form was built from, **required** when the project
    exists; pass ``form.expected_version`` to ``save_project(..., expected_version=...)`` (or
    ``record_stage``). A missing or malformed version makes the form invalid with a message in Thai
    and English (not the field's own: the field is hidden).

    On a conflict, call ``form.add_conflict(error)``: the error is shown on the form and the hidden
    field keeps the old version, so resubmitting unchanged conflicts again until the user reloads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)
        target = self.versioned_project
        if target is not None and target.pk:
            self.initial.setdefault("version", target.version)

    @property
    def versioned_project(self):
        """The project this form changes: ``self.project`` if the form has one, else its instance."""
        return getattr(self, "project", None) or getattr(self, "instance", None)

    def clean(self):
        data = super().clean()
        target = self.versioned_project
        if target is not None and target.pk:
            try:
                data["version"] = parse_version(data.get("version"))
            except VersionError as exc:
                data["version"] = None
                self.add_conflict(exc)
        return data

    @property
    def expected_version(self):
        target = self.versioned_project
        if target is None or not target.pk:
            return None
        return self.cleaned_data.get("version") if hasattr(self, "cleaned_data") else None

    def add_conflict(self, error) -> None:
        """Show a ``ConflictError`` or ``VersionError`` on the form, in Thai and English."""
        self.add_error(None, f"{error.message_th} / {error.message_en}")
