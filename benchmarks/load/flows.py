"""What people do on deadline day, as scripts over a small client interface, so that the locustfile
(over HTTP, with think times) and floor.py (in process, capturing each request's SQL) run the very
same steps. Each step is one HTTP request with a kind name ("validate", "tile z10", "ogc items"…)
under which the statistics group it. No Django and no locust here.

The client (``Client`` below) makes a request and raises ``FlowAbort`` when the status is not the
expected one (the rest of that iteration depends on it), gives the CSRF token of its session and
pauses for the user's think time.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode, urlsplit

WATER_POINT_SUBTYPES = ("pond", "weir", "check_dam", "well", "reservoir", "water_supply")
ROAD_SUBTYPES = ("concrete_road", "asphalt_road", "laterite_road", "gravel_road", "drainage", "road_repair")
PROJECT_LINK = re.compile(rb'href="/projects/(\d+)/"')
VERSION_FIELD = re.compile(rb'name="version" value="(\d+)"')


class FlowAbort(Exception):
    """A request did not answer as the script needs; the iteration stops there."""


@dataclass
class Reply:
    status: int
    content: bytes
    location: str = ""

    def json(self):
        return json.loads(self.content)


class Client(Protocol):
    rng: random.Random

    def request(
        self,
        method: str,
        url: str,
        name: str,
        *,
        expect: tuple[int, ...] = (200,),
        body: bytes | None = None,
        content_type: str | None = None,
        headers: dict | None = None,
    ) -> Reply: ...

    def csrf(self) -> str: ...

    def pause(self, low: float, high: float) -> None: ...


# --- helpers -----------------------------------------------------------------------------------


def get(c: Client, url: str, name: str, expect=(200,)) -> Reply:
    return c.request("GET", url, name, expect=expect)


def post_form(c: Client, url: str, name: str, fields: dict, expect=(302,)) -> Reply:
    fields = {**fields, "csrfmiddlewaretoken": c.csrf()}
    return c.request(
        "POST",
        url,
        name,
        expect=expect,
        body=urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded",
    )


def post_json(c: Client, url: str, name: str, data: dict, expect=(200,)) -> Reply:
    return c.request(
        "POST",
        url,
        name,
        expect=expect,
        body=json.dumps(data).encode(),
        content_type="application/json",
        headers={"X-CSRFToken": c.csrf(), "Accept": "application/json"},
    )


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and one file field ``file``."""
    boundary = "----gisplanload" + uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def be_date(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# --- everyone ----------------------------------------------------------------------------------


def login(c: Client, username: str, password: str) -> None:
    get(c, "/accounts/login/", "login page")
    post_form(c, "/accounts/login/", "login", {"username": username, "password": password})


# --- LAO staff ---------------------------------------------------------------------------------


def lao_page(c: Client, lao: dict) -> Reply:
    """The LAO's home page and what its map loads: the LAO's projects and its area's outline."""
    page = get(c, f"/lao/{lao['code']}/", "lao page")
    get(c, f"/projects/map.geojson?lao={lao['code']}", "lao map geojson")
    get(c, f"/layers/boundaries/amphoe.geojson?zoom=12&code={lao['amphoe']}", "lao area outline")
    return page


def _drawing(rng: random.Random, lao: dict, kind: str) -> list[dict]:
    """The geometries a user sends while drawing: a marker moved about, or a line vertex by vertex."""
    x, y = rng.choice(lao["points"])
    if kind == "water":
        return [
            {
                "type": "Point",
                "coordinates": [round(x + rng.uniform(-4e-4, 4e-4), 6), round(y + rng.uniform(-4e-4, 4e-4), 6)],
            }
            for _ in range(rng.randint(3, 5))
        ]
    vertices, shapes = [[x, y]], []
    for _ in range(rng.randint(3, 5)):
        px, py = vertices[-1]
        vertices.append([round(px + rng.uniform(-1.5e-3, 1.5e-3), 6), round(py + rng.uniform(-1.5e-3, 1.5e-3), 6)])
        shapes.append({"type": "LineString", "coordinates": [list(v) for v in vertices]})
    return shapes


def enter_project(c: Client, lao: dict, fiscal_year: int, prefix: str) -> int:
    """The entry page, live validation while drawing, the save; returns the new project's id."""
    code = lao["code"]
    get(c, f"/projects/new/?lao={code}", "entry page")
    kind = "water" if c.rng.random() < 0.6 else "road"
    shapes = _drawing(c.rng, lao, kind)
    for geometry in shapes:
        c.pause(1.0, 2.5)
        body = {"geometry": geometry, "lao": code, "kind": kind, "fiscal_year": fiscal_year, "project_id": None}
        post_json(c, "/api/validate/", "validate", body)
    c.pause(1.0, 3.0)
    subtype = c.rng.choice(WATER_POINT_SUBTYPES if kind == "water" else ROAD_SUBTYPES)
    fields = {
        "name": f"{prefix} {kind} {uuid.uuid4().hex[:10]}",
        "kind": kind,
        "subtype": subtype,
        "fiscal_year": fiscal_year,
        "plan_reference": "load",
        "budget": f"{c.rng.randint(50, 5000) * 1000:,}",
        "geom": json.dumps(shapes[-1]),
        "version": "",
    }
    saved = post_form(c, f"/projects/new/?lao={code}", "save project", fields)
    match = re.search(r"/projects/(\d+)/", saved.location)
    if not match:
        raise FlowAbort(f"save answered {saved.status} without the project's address")
    get(c, path_of(saved.location), "project page")
    return int(match.group(1))


def import_file(c: Client, lao: dict, fiscal_year: int, prefix: str) -> None:
    """Upload a 3-row CSV, confirm the guessed mapping, look at the dry run, commit."""
    get(c, "/projects/import/", "import page")
    rows = ["\ufeffรหัส,ชื่อโครงการ,ปีงบประมาณ,งบประมาณ,ละติจูด,ลองจิจูด"]
    for x, y in c.rng.sample(lao["points"], 3):
        ref = uuid.uuid4().hex[:12]
        rows.append(f"{ref},{prefix} import {ref},{fiscal_year},{c.rng.randint(50, 900) * 1000},{y},{x}")
    body, ctype = multipart({"csrfmiddlewaretoken": c.csrf()}, "projects.csv", "\n".join(rows).encode())
    uploaded = c.request("POST", "/projects/import/", "import upload", expect=(302,), body=body, content_type=ctype)
    mapping = {
        "map_ref": "รหัส",
        "map_name": "ชื่อโครงการ",
        "map_fiscal_year": "ปีงบประมาณ",
        "map_budget": "งบประมาณ",
        "map_lat": "ละติจูด",
        "map_lon": "ลองจิจูด",
        "default_kind": "water",
        "default_subtype": "pond",
    }
    c.pause(2.0, 4.0)
    mapped = post_form(c, path_of(uploaded.location), "import mapping", mapping)
    preview = path_of(mapped.location)
    get(c, preview, "import preview")
    c.pause(2.0, 4.0)
    post_form(c, preview.replace("preview/", "commit/"), "import commit", {})


def engineer_iteration(c: Client, lao: dict, fixtures: dict, import_share: float = 0.08) -> int:
    """An LAO engineer: the LAO page, a new project drawn, validated and saved; now and then an import."""
    lao_page(c, lao)
    c.pause(2.0, 4.0)
    project_id = enter_project(c, lao, fixtures["current_fiscal_year"], fixtures["prefix"])
    if c.rng.random() < import_share:
        c.pause(2.0, 4.0)
        import_file(c, lao, fixtures["current_fiscal_year"], fixtures["prefix"])
    return project_id


def record_stage(c: Client, project_id: int, stage: int, budget: int = 500_000) -> None:
    """Open the project and record its next plan stage (1–3: in the plan, approved, budget approved)."""
    page = get(c, f"/projects/{project_id}/", "project page")
    version = VERSION_FIELD.search(page.content)
    c.pause(2.0, 4.0)
    fields = {
        "version": version.group(1).decode() if version else "",  # optimistic locking: the version the page showed
        "action": "stage",
        "stage": stage,
        "date": be_date(dt.date.today()),
        "amount": budget if stage == 3 else "",
        "note": "load test",
    }
    done = post_form(c, f"/projects/{project_id}/", "record stage", fields)
    get(c, path_of(done.location).split("#")[0], "project page")


def planner_iteration(c: Client, lao: dict, queue: list) -> None:
    """An LAO planner: the LAO page, then the next stage of a project the load entered (``queue``
    holds [project id, next stage] of this LAO), else a look at one of the LAO's projects."""
    page = lao_page(c, lao)
    c.pause(2.0, 4.0)
    if queue:
        item = queue[0]
        project_id, stage = item
        item[1] += 1
        if item[1] > 3:
            queue.pop(0)
        record_stage(c, project_id, stage)
        return
    links = PROJECT_LINK.findall(page.content)
    if links:
        get(c, f"/projects/{int(c.rng.choice(links))}/", "project page")


# --- provincial analysts -----------------------------------------------------------------------


def _map_view(c: Client, query: str, center: list, z: int, tiles: int) -> None:
    """What the analysis map loads for one view: project tiles, province outline tiles, summary and list."""
    x0, y0 = tile_of(center[0], center[1], z)
    for dx, dy in [(0, 0), (1, 0), (0, 1), (1, 1), (-1, 0), (-1, 1)][:tiles]:
        get(c, f"/tiles/projects/{z}/{x0 + dx}/{y0 + dy}.pbf?{query}", f"tile z{z}", expect=(200, 204))
        get(c, f"/tiles/boundaries/province/{z}/{x0 + dx}/{y0 + dy}.pbf", "boundary tile", expect=(200, 204))
    get(c, f"/api/projects/summary/?{query}", "api summary")
    get(c, f"/api/projects/?{query}&page_size=20&ordering=-budget", "api list")


def _view_bbox(center: list, z: int) -> str:
    half_w, half_h = 360 / 2**z * 1.5, 360 / 2**z * 0.8  # about a 1,200 × 650 px window
    return f"{center[0] - half_w:.6f},{center[1] - half_h:.6f},{center[0] + half_w:.6f},{center[1] + half_h:.6f}"


def analyst_iteration(c: Client, analyst: dict, fixtures: dict, export_share: float = 0.1) -> None:
    """A provincial analyst: the analysis map with their province's filters, a zoom into part of it
    (the view's extent as a filter), one report, and now and then the province's GeoJSON export."""
    province, rng = analyst["province"], c.rng
    fiscal_year = rng.choice(fixtures["fiscal_years"][-3:])
    get(c, "/analysis/", "analysis page")
    query = f"province={province}&fiscal_year={fiscal_year}" + ("&kind=" + rng.choice(["water", "road"])) * (
        rng.random() < 0.3
    )
    z = rng.randint(8, 9)
    _map_view(c, query, rng.choice(analyst["points"]), z, 4)
    c.pause(2.0, 5.0)
    z, center = rng.randint(10, 12), rng.choice(analyst["points"])
    _map_view(c, f"{query}&bbox={_view_bbox(center, z)}", center, z, 4)
    c.pause(2.0, 5.0)
    report = rng.choice(
        [
            f"/reports/completeness/?fiscal_year={fiscal_year}",
            "/reports/score/",
            f"/reports/budget/?province={province}&fiscal_year={fiscal_year}",
        ]
    )
    get(c, report, "report " + report.split("/")[2])
    if rng.random() < export_share:
        c.pause(1.0, 3.0)
        get(c, f"/api/projects/export/?format=geojson&province={province}", "export geojson")


# --- QGIS (OGC API Features, HTTP Basic) ---------------------------------------------------------


def ogc_iteration(c: Client, analyst: dict, pages: int = 3) -> None:
    """QGIS redrawing a layer: the items in the view's bbox, page after page (limit 100)."""
    if c.rng.random() < 0.2:
        get(c, "/ogc/collections", "ogc collections")
    center = c.rng.choice(analyst["points"])
    url = f"/ogc/collections/projects/items?limit=100&bbox={_view_bbox(center, c.rng.randint(10, 11))}"
    for _ in range(pages):
        page = get(c, url, "ogc items").json()
        following = [link["href"] for link in page.get("links", []) if link.get("rel") == "next"]
        if not following:
            break
        c.pause(0.1, 0.4)
        url = path_of(following[0])
