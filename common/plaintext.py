"""Text people type: the one rule for which characters a name, a reference or a note may hold.

Refused, with a message naming the character:

- control characters (Unicode category Cc: NUL, BEL, ESC, DEL, the C1 controls …), except that a
  multi-line field keeps tab, line feed and carriage return;
- the characters that change the direction of the text around them (Unicode's Bidi_Control:
  U+061C, U+200E/U+200F, U+202A–U+202E such as RIGHT-TO-LEFT OVERRIDE, U+2066–U+2069), which make
  a name display differently from what it holds;
- the Unicode line and paragraph separators (U+2028, U+2029) in a one-line field.

Everything else is kept: Thai letters with their vowel and tone marks (combining characters), the
ordinary space and the no-break space, and the zero-width space / joiners (U+200B–U+200D), which
Thai text uses to mark word breaks.

``validate_one_line`` / ``validate_multiline`` are Django validators; ``check_text_fields(form,
...)`` adds them to a form's text fields.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")

MESSAGE = _(
    "This text holds an invisible control or text-direction character (%(char)s); remove it and type the text again."
)


def _check(pattern, value) -> None:
    if not isinstance(value, str):
        return
    found = pattern.search(value)
    if found:
        raise ValidationError(MESSAGE, code="control_character", params={"char": f"U+{ord(found.group()):04X}"})


def validate_one_line(value) -> None:
    """A name or reference: no control, bidi-control or line-separator character (see module)."""
    _check(_ONE_LINE, value)


def validate_multiline(value) -> None:
    """A note of several lines: as ``validate_one_line`` but tab, LF and CR are allowed."""
    _check(_MULTILINE, value)


def check_text_fields(form, one_line=(), multiline=()) -> None:
    """Add the rule to the named fields of a form instance (its own copies of the fields)."""
    for name in one_line:
        form.fields[name].validators.append(validate_one_line)
    for name in multiline:
        form.fields[name].validators.append(validate_multiline)
