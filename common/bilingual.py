"""Messages in both languages: Thai first, English second, for errors users must understand."""

from __future__ import annotations

from django.utils import translation


def both(message, **params) -> dict[str, str]:
    """``message`` (a gettext_lazy string, %-style params) rendered in Thai and in English."""
    out = {}
    for lang, key in (("th", "message_th"), ("en", "message_en")):
        with translation.override(lang):
            text = str(message)
            out[key] = text % params if params else text
    return out
