""".env.example lists every setting gisplan reads from the environment (docs/operations.md "Settings" says so)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting():
    sources = (ROOT / "gisplan" / "settings.py").read_text() + (
        ROOT / "accounts" / "management" / "commands" / "ensure_admin.py"
    ).read_text()
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', sources))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', sources))
    assert {"DATABASE_URL", "SECRET_KEY", "GISPLAN_DEMO_USERS"} <= read
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set()
