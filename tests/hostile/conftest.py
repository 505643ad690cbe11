"""Report the hostile-input suite's figures (requests sent, 5xx answers) at the end of the run."""

import json

from tests.conftest import TEST_OUTPUT
from tests.hostile.summary import COUNTS


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    figures = {"requests": COUNTS["requests"], "5xx": COUNTS["5xx"]}
    terminalreporter.write_line(f"hostile-input suite: {figures['requests']} requests, {figures['5xx']} × 5xx")
    TEST_OUTPUT.mkdir(exist_ok=True)
    (TEST_OUTPUT / "hostile-summary.json").write_text(json.dumps(figures) + "\n")
