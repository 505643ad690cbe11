"""What the deadline-day load test shares: accounts, provinces, the marker of its own projects and
where its files go. No Django, no locust: imported by all of them."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get("LOAD_OUT", "/tmp/gisplan-load"))  # fixtures, logs, raw records, results
FIXTURES = OUT / "fixtures.json"

DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgis://gisplan:gisplan@127.0.0.1:5432/gisplan_load")
DB_NAME = DATABASE_URL.rsplit("/", 1)[-1]
PSYCOPG_DSN = DATABASE_URL.replace("postgis://", "postgresql://", 1)
HOST = os.environ.get("LOAD_HOST", "http://127.0.0.1:8300")

PASSWORD = "gisplan-demo"
# Every project the test creates (entry form, imports) has a name starting with this; cleanup.py
# removes them, their stages, tambon shares and history.
PREFIX = "LOADTEST"

# Provinces of the load: (code, LAO offices with a load engineer + planner, provincial analysts).
# Phuket is small (19 LAOs), Khon Kaen and Chiang Mai large (211–225): exports and tiles vary.
PROVINCES = (("83", 18, 4), ("82", 25, 3), ("81", 30, 3), ("80", 42, 3), ("50", 42, 4), ("40", 43, 3))
POINTS_PER_LAO = 24  # random points inside each LAO's amphoe: where its staff draw projects
POINTS_PER_PROVINCE = 40  # map-view centres of the analysts and QGIS users
