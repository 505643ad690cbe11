#!/usr/bin/env python3
"""Refresh the Thai catalogue: extract messages, fill Thai from locale/translations/*.json, compile.

Each piece of the project keeps its Thai translations in its own JSON file
(``locale/translations/<piece>.json``: English msgid → Thai), so parallel work never edits the
same lines of ``django.po``. Run after adding or changing messages:

    .venv/bin/python scripts/i18n.py          # makemessages + fill + compilemessages
    .venv/bin/python scripts/i18n.py --check  # exit 1 if a message has no Thai translation

Needs polib (test extra) and gettext (installed by scripts/bootstrap.sh).
"""

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "th" / "LC_MESSAGES"
IGNORE = [
    "--ignore=.venv",
    "--ignore=tests",
    "--ignore=scripts",
    "--ignore=benchmarks",
    "--ignore=staticfiles",
    "--ignore=test-output",
]


def translations():
    """English msgid → Thai from every piece; the same msgid translated two ways is an error."""
    table, source, clashes = {}, {}, []
    for path in sorted((ROOT / "locale" / "translations").glob("*.json")):
        for msgid, thai in json.loads(path.read_text(encoding="utf-8")).items():
            if msgid in table and table[msgid] != thai:
                clashes.append(f"{msgid!r}: {source[msgid]} says {table[msgid]!r}, {path.name} says {thai!r}")
            table.setdefault(msgid, thai)
            source.setdefault(msgid, path.name)
    if clashes:
        sys.exit(
            "Conflicting Thai translations (give one msgid one meaning, or use pgettext):\n  " + "\n  ".join(clashes)
        )
    return table


def main(check=False):
    manage = [sys.executable, str(ROOT / "manage.py")]
    if not check:
        subprocess.run([*manage, "makemessages", "-l", "th", "-l", "en", *IGNORE], check=True, cwd=ROOT)
        subprocess.run(
            [*manage, "makemessages", "-d", "djangojs", "-l", "th", "-l", "en", *IGNORE], check=True, cwd=ROOT
        )
    table = translations()
    missing = []
    for domain in ("django", "djangojs"):
        path = PO / f"{domain}.po"
        if not path.exists():
            continue
        po = polib.pofile(str(path))
        po.metadata.update(
            {"Language": "th", "Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
        )
        for entry in po:
            if entry.obsolete:
                continue
            if entry.msgid in table:
                entry.msgstr = table[entry.msgid]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            else:
                missing.append(f"{domain}: {entry.msgid}")
        if not check:
            po.save()
    if not check:
        subprocess.run([*manage, "compilemessages", "--ignore=.venv"], check=True, cwd=ROOT)
    if missing:
        print("no Thai translation for:\n  " + "\n  ".join(missing))
        return 1 if check else 0
    print("Thai catalogue complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
