"""The Thai catalogue is complete and consistent: every message the code marks for translation
has one Thai text, and the compiled catalogue is what Django serves."""

import re
import subprocess
import sys
from pathlib import Path

import polib
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils import translation

from accounts.forms import RegistrationForm

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "th" / "LC_MESSAGES"


def test_every_thai_entry_is_translated():
    for domain in ("django", "djangojs"):
        po = polib.pofile(str(PO / f"{domain}.po"))
        untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        assert not untranslated, f"{domain}: no Thai for {untranslated[:10]}"
        assert not fuzzy, f"{domain}: fuzzy {fuzzy[:10]}"


def test_translation_pieces_agree_and_cover_the_catalogue():
    # scripts/i18n.py --check exits non-zero on a msgid with no Thai in locale/translations/*.json or listed twice
    done = subprocess.run([sys.executable, "scripts/i18n.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compiled_catalogue_is_served():
    with translation.override("th"):
        assert translation.gettext("Budget stages") == "ขั้นตอนงบประมาณ"
        assert translation.gettext("Number of projects") == "จำนวนโครงการ"
    with translation.override("en"):
        assert translation.gettext("Budget stages") == "Budget stages"


def test_django_texts_shown_on_thai_pages_have_thai():
    """Django's own Thai catalogue lacks the password rules and the username help: the site gives
    them (accounts/passwords.py, accounts.forms.RegistrationForm), so no Thai page shows them in English."""
    thai = re.compile(r"[\u0E00-\u0E7F]")
    with translation.override("th"):
        texts = [*password_validators_help_texts(), str(RegistrationForm().fields["username"].help_text)]
        assert all(thai.search(t) for t in texts), texts
