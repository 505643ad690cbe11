"""The layout rules of docs/design.md, checked on the source: which app may import which, and no
import of our own code inside a function (the old way of dodging an import cycle)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each app and the apps it may import (besides itself). gisplan/ (settings, root URLs) sits on top.
ALLOWED = {
    "common": set(),
    "ops": {"common"},
    "layers": {"common"},
    "accounts": {"common", "layers"},
    "closures": {"common", "layers", "accounts"},
    "projects_geo": {"common", "layers", "accounts", "closures"},
    "planning": {"common", "layers", "accounts", "projects_geo"},
    "analysis": {"common", "layers", "accounts", "projects_geo", "planning"},
    "monitoring": {"common", "layers", "accounts", "projects_geo", "closures"},
    "exchange": {"common", "layers", "accounts", "projects_geo", "analysis", "planning", "closures"},
    "reports": {"common", "layers", "accounts", "projects_geo", "analysis", "planning", "monitoring"},
    "messaging": {"common", "layers", "accounts"},
    "field": {"common", "layers", "accounts", "projects_geo"},
    "jobs": {
        "common",
        "layers",
        "accounts",
        "projects_geo",
        "analysis",
        "exchange",
        "reports",
        "planning",
        "closures",
        "monitoring",
        "messaging",
        "field",
    },
}
OURS = set(ALLOWED) | {"gisplan"}

# Imports inside a function that are deliberate lazy loads of heavy modules (not cycle dodges):
# folium only for the map frame; each export writer (pyarrow/GDAL) only for its own format.
LAZY = {
    ("reports/views.py", "reports.maps"),
    ("exchange/exports/__init__.py", "exchange.exports.geojson"),
    ("exchange/exports/__init__.py", "exchange.exports.csvfile"),
    ("exchange/exports/__init__.py", "exchange.exports.kml"),
    ("exchange/exports/__init__.py", "exchange.exports.shapefile"),
    ("exchange/exports/__init__.py", "exchange.exports.geopackage"),
    ("exchange/exports/geopackage.py", "exchange.exports.ogr"),
}


def _sources(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path):
    """(module imported, at module level?) for every import statement of ``path``."""
    rel = path.relative_to(ROOT)
    package = list(rel.with_suffix("").parts)[:-1]  # the package a relative import starts from
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    # Statements under a module-level if/try (e.g. settings switches) count as module level.
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try)):
            top |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    for alias in node.names:
                        yield f"{module}.{alias.name}", id(node) in top
                    continue
            else:
                module = node.module
            yield module, id(node) in top


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_dependencies_point_one_way(app):
    wrong = []
    for path in _sources(app):
        for module, _ in _imports(path):
            target = module.split(".")[0]
            if target in OURS and target != app and target not in ALLOWED[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == [], f"{app} may import only {sorted(ALLOWED[app])}"


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_no_import_of_our_code_inside_a_function(app):
    inside = []
    for path in _sources(app):
        rel = str(path.relative_to(ROOT))
        for module, at_top in _imports(path):
            if not at_top and module.split(".")[0] in OURS and (rel, module) not in LAZY:
                inside.append(f"{rel} imports {module} inside a function")
    assert inside == []


def test_the_rules_know_every_app():
    """A new app must be placed in the dependency order above (and in docs/design.md)."""
    from django.conf import settings

    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert ours == set(ALLOWED)
