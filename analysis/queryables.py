"""The filterable attributes of projects (OGC API – Features Part 3 "queryables") and CQL2
evaluation against them.

``PROJECT_QUERYABLES`` is the one declaration: the queryables document (JSON Schema with Thai and
English titles) and the CQL2 evaluation both read it, so a new filterable field is one entry here
(its name, the ORM path, its JSON type and its titles).

``cql2_filter(text, lang)`` parses CQL2-text or CQL2-JSON with pygeofilter and turns it into a
Django ``Q`` over the declared attributes; the caller applies it to a queryset that already went
through ``accounts.access.visible_projects`` and ``analysis.filters.filter_projects``, so it only
narrows what the user may see. Anything wrong (syntax, an unknown attribute, a value of the wrong
type, an unsupported operator) is a ``ValidationError`` keyed ``filter`` with Thai and English text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Polygon
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pygeofilter import ast, values
from pygeofilter.backends.django.evaluate import DjangoFilterEvaluator
from pygeofilter.backends.evaluator import handle
from pygeofilter.parsers.cql2_json import parse as parse_cql2_json
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text

from common.params import excerpt, load_json
from projects_geo.models import FundingSource, Kind, Stage, Subtype

CQL2_TEXT, CQL2_JSON = "cql2-text", "cql2-json"
FILTER_LANGS = (CQL2_TEXT, CQL2_JSON)
MAX_FILTER_LENGTH = 100_000  # characters: room for a detailed polygon, not for a denial of service
GEOMETRY = "geometry"


@dataclass(frozen=True)
class Queryable:
    name: str  # the attribute name in CQL2 (and in the GeoJSON properties)
    path: str  # the ORM path on Project
    type: str  # JSON Schema type: string | integer | number | geometry
    title: object  # gettext_lazy text; rendered in Thai and English
    enum: tuple = field(default=())
    minimum: int | None = None
    maximum: int | None = None


PROJECT_QUERYABLES = [
    Queryable(GEOMETRY, "geom", "geometry", _("Location (point or line)")),
    Queryable("name", "name", "string", _("Project name")),
    Queryable("kind", "kind", "string", _("Kind (water or road)"), enum=tuple(Kind.values)),
    Queryable("subtype", "subtype", "string", _("Subtype"), enum=tuple(Subtype.values)),
    Queryable("fiscal_year", "fiscal_year", "integer", _("Fiscal year (B.E.)"), minimum=2550, maximum=2600),
    Queryable("budget", "budget", "number", _("Budget (THB)"), minimum=0),
    Queryable("current_stage", "current_stage", "integer", _("Current budget stage (0–6)"), minimum=0, maximum=6),
    Queryable("lao_code", "organization__dla_code", "string", _("LAO code (DLA, 7 digits)")),
    Queryable("lao_name", "organization__name_th", "string", _("LAO name")),
    Queryable("province", "province__code", "string", _("Province code (2 digits)")),
    Queryable("amphoe", "amphoe__code", "string", _("Amphoe code (4 digits)")),
    Queryable("tambon", "tambon__code", "string", _("Tambon code (6 digits)")),
    Queryable("length_m", "length_m", "number", _("Length (m)"), minimum=0),
    Queryable("funding_source", "funding_source", "string", _("Funding source"), enum=("", *FundingSource.values)),
]
STAGE_VALUES = [0, *Stage.values]

BAD_SYNTAX = _("The filter is not valid %(lang)s: %(detail)s")
UNKNOWN_ATTRIBUTE = _("Unknown attribute “%(name)s” in the filter; the queryables are: %(names)s.")
WRONG_TYPE = _("The attribute %(name)s is a %(type)s; the filter compares it with “%(value)s”.")
UNSUPPORTED = _("This filter uses something not supported here: %(what)s.")
BAD_GEOMETRY = _("A geometry in the filter is not valid: %(detail)s")
TOO_LONG = _("The filter is longer than %(max)s characters.")
BAD_LANG = _("filter-lang must be cql2-text or cql2-json, not “%(value)s”.")


def by_name(queryables=None) -> dict[str, Queryable]:
    return {q.name: q for q in (queryables or PROJECT_QUERYABLES)}


def _titles(text) -> dict:
    out = {}
    for lang in ("th", "en"):
        with translation.override(lang):
            out[lang] = str(text)
    return out


def queryables_schema(collection_url: str, queryables=None) -> dict:
    """The queryables document (JSON Schema 2019-09): ``title`` in the active language, and
    ``x-title-th`` / ``x-title-en``."""
    properties = {}
    for q in queryables or PROJECT_QUERYABLES:
        titles = _titles(q.title)
        if q.type == "geometry":
            prop = {"format": "geometry-any"}
        else:
            prop = {"type": q.type}
        prop.update(title=str(q.title), **{"x-title-th": titles["th"], "x-title-en": titles["en"]})
        if q.enum:
            prop["enum"] = list(q.enum)
        if q.minimum is not None:
            prop["minimum"] = q.minimum
        if q.maximum is not None:
            prop["maximum"] = q.maximum
        properties[q.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": collection_url.rstrip("/") + "/queryables",
        "type": "object",
        "title": str(_("Filterable attributes of projects")),
        "properties": properties,
        "additionalProperties": False,
    }


def _error(message, **params) -> ValidationError:
    return ValidationError({"filter": [ValidationError(message, params=params)]})


def _literal_fits(q: Queryable, value) -> bool:
    if q.type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if q.type == "number":
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if q.type == "string":
        return isinstance(value, str)
    return False


_LIKE_SPECIALS = re.compile(r"\\.|[%_]|[^\\%_]+")


def like_regex(pattern: str) -> str:
    """A CQL2 LIKE pattern (``%`` any run, ``_`` one character, ``\\`` escapes) as an anchored
    PostgreSQL regular expression."""
    out = []
    for piece in _LIKE_SPECIALS.findall(pattern):
        if piece == "%":
            out.append(".*")
        elif piece == "_":
            out.append(".")
        elif piece.startswith("\\") and len(piece) == 2:
            out.append(re.escape(piece[1]))
        else:
            out.append(re.escape(piece))
    return "^" + "".join(out) + "$"


class _Evaluator(DjangoFilterEvaluator):
    """pygeofilter's Django evaluator with the attribute names of the declaration, type checks of
    literals (a bad value is a 400, not a database error) and CQL2's LIKE wildcards."""

    def __init__(self, queryables):
        self.by_name = by_name(queryables)
        self.by_path = {q.path: q for q in self.by_name.values()}
        super().__init__({n: q.path for n, q in self.by_name.items()}, None)

    def _check(self, lhs, *literals):
        if not isinstance(lhs, F):
            raise _error(UNSUPPORTED, what=_("a comparison whose left side is not an attribute"))
        q = self.by_path[lhs.name]
        for value in literals:
            raw = getattr(value, "value", value)
            if isinstance(raw, F):
                continue
            if not _literal_fits(q, raw):
                raise _error(WRONG_TYPE, name=q.name, type=q.type, value=excerpt(str(raw)))

    @handle(ast.Attribute)
    def attribute(self, node):
        q = self.by_name.get(node.name)
        if q is None:
            raise _error(UNKNOWN_ATTRIBUTE, name=excerpt(node.name), names=", ".join(self.by_name))
        return F(q.path)

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        self._check(lhs, rhs)
        return super().comparison(node, lhs, rhs)

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        self._check(lhs, low, high)
        return super().between(node, lhs, getattr(low, "value", low), getattr(high, "value", high))

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        self._check(lhs, *options)
        q = Q(**{f"{lhs.name}__in": [getattr(o, "value", o) for o in options]})
        return ~q if node.not_ else q

    @handle(ast.Like)
    def like(self, node, lhs):
        self._check(lhs, node.pattern)
        q = Q(**{f"{lhs.name}__{'iregex' if node.nocase else 'regex'}": like_regex(node.pattern)})
        return ~q if node.not_ else q

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial_operation(self, node, lhs, rhs):
        if not isinstance(lhs, F) or self.by_path[lhs.name].type != "geometry":
            raise _error(UNSUPPORTED, what=_("a spatial test on an attribute that is not the geometry"))
        if not isinstance(rhs, GEOSGeometry):
            raise _error(UNSUPPORTED, what=_("a spatial test between two attributes"))
        return super().spatial_operation(node, lhs, rhs)

    @handle(ast.Function)
    def function(self, node, *arguments):
        if node.name.lower() == "bbox" and len(arguments) in (4, 6):
            nums = [getattr(a, "value", a) for a in arguments]
            if all(isinstance(n, int | float) for n in nums):
                return _bbox(nums)
        raise _error(UNSUPPORTED, what=excerpt(node.name))

    @handle(values.Geometry)
    def geometry(self, node):
        try:
            geom = GEOSGeometry(json.dumps(node.__geo_interface__), srid=4326)
        except (GEOSException, ValueError, TypeError) as exc:
            raise _error(BAD_GEOMETRY, detail=excerpt(str(exc))) from None
        if not geom.valid:
            raise _error(BAD_GEOMETRY, detail=excerpt(geom.valid_reason))
        return geom

    @handle(values.Envelope)
    def envelope(self, node):
        return _bbox([node.x1, node.y1, node.x2, node.y2])

    @handle(ast.TemporalPredicate, ast.Arithmetic, ast.IsNull, ast.Relate, subclasses=True)
    def unsupported(self, node, *args):
        raise _error(UNSUPPORTED, what=type(node).__name__)

    @handle(ast.SpatialDistancePredicate, subclasses=True)
    def unsupported_distance(self, node, *args):
        raise _error(UNSUPPORTED, what=type(node).__name__)


def _bbox(nums) -> Polygon:
    minx, miny, maxx, maxy = (nums[0], nums[1], nums[3], nums[4]) if len(nums) == 6 else nums
    if not (minx <= maxx and miny <= maxy):
        raise _error(BAD_GEOMETRY, detail="bbox min > max")
    poly = Polygon.from_bbox((minx, miny, maxx, maxy))
    poly.srid = 4326
    return poly


def _bbox_objects_as_polygons(node):
    """CQL2-JSON ``{"bbox": [...]}`` as a GeoJSON Polygon (pygeofilter 0.4 mixes up the order of
    its envelope's corners)."""
    if isinstance(node, dict):
        if set(node) == {"bbox"} and isinstance(node["bbox"], list) and len(node["bbox"]) in (4, 6):
            b = node["bbox"]
            minx, miny, maxx, maxy = (b[0], b[1], b[3], b[4]) if len(b) == 6 else b
            ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
            return {"type": "Polygon", "coordinates": [ring]}
        return {k: _bbox_objects_as_polygons(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_bbox_objects_as_polygons(v) for v in node]
    return node


def parse_filter(text: str, lang: str | None):
    """The pygeofilter AST of a CQL2 filter (ValidationError keyed ``filter`` / ``filter-lang``)."""
    lang = (lang or CQL2_TEXT).strip().lower()
    if lang not in FILTER_LANGS:
        raise ValidationError({"filter-lang": [ValidationError(BAD_LANG, params={"value": excerpt(lang)})]})
    if len(text) > MAX_FILTER_LENGTH:
        raise _error(TOO_LONG, max=MAX_FILTER_LENGTH)
    try:
        if lang == CQL2_JSON:
            try:
                data = load_json(text)
            except ValidationError as exc:
                raise ValidationError({"filter": exc.error_list}) from None
            return parse_cql2_json(_bbox_objects_as_polygons(data))
        return parse_cql2_text(text)
    except ValidationError:
        raise
    except Exception as exc:  # the parsers raise lark errors, ValueError, KeyError, TypeError …
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _error(BAD_SYNTAX, lang=lang, detail=excerpt(detail)) from None


def cql2_filter(text: str, lang: str | None = None, queryables=None) -> Q:
    """A Django ``Q`` over Project for a CQL2 filter."""
    root = parse_filter(text, lang)
    if not isinstance(root, ast.Node) or isinstance(root, ast.Attribute):
        raise _error(UNSUPPORTED, what=_("a filter that is not a condition"))
    try:
        q = _Evaluator(queryables).evaluate(root)
    except ValidationError:
        raise
    except (ValueError, AssertionError, NotImplementedError, TypeError, KeyError) as exc:
        raise _error(UNSUPPORTED, what=excerpt(str(exc) or type(exc).__name__)) from None
    if not isinstance(q, Q):
        raise _error(UNSUPPORTED, what=_("a filter that is not a condition"))
    return q
