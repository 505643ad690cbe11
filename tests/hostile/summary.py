"""Counts of the hostile-input suite (requests sent, 5xx answers), printed at the end of the run
and written to ``test-output/hostile-summary.json``."""

from collections import Counter

COUNTS: Counter = Counter()
