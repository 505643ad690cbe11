#!/usr/bin/env python3
"""Refresh the Thai catalogue: extract messages, fill Thai from locale/translations/*.json, compile.

The Thai translations (English msgid → Thai) live in one JSON file per capability, so work on one
part of the site never edits the same lines as work on another (nor those of ``django.po``):

    accounts.json   accounts: sign-up, approvals, roles, single sign-on
    layers.json     layers: boundaries, the LAO registry
    projects.json   projects_geo: the entry pages, project form, stages, validation, coordinates,
                    history and deletion
    analysis.json   analysis: filters, REST API, vector tiles, OGC API, the analysis map
    exchange.json   exchange: imports and exports
    reports.json    reports
    ops.json        ops: health checks, metrics, logs, the busy answer
    site.json       the site's frame (gisplan/templates: base page, navigation, sign-in page)
    closures.json   closures: closure windows, their banner and refusal
    common.json     common (shared helpers, map messages) and every msgid used by more than one app

A msgid is listed once, in the file of the one app that uses it (common.json when several do);
the same msgid in two files is an error. Run after adding or changing messages:

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
    """English msgid → Thai from every file; a msgid listed twice (in two files or in one) is an error."""
    table, source, clashes = {}, {}, []
    for path in sorted((ROOT / "locale" / "translations").glob("*.json")):
        for msgid, thai in json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=list):
            if msgid in table:
                clashes.append(f"{msgid!r}: in {source[msgid]} ({table[msgid]!r}) and in {path.name} ({thai!r})")
                continue
            table[msgid] = thai
            source[msgid] = path.name
    if clashes:
        sys.exit(
            "A msgid listed twice in locale/translations (keep it once: in common.json if several apps use it;"
            " give different meanings pgettext contexts):\n  " + "\n  ".join(clashes)
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
