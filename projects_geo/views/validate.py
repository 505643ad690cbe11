"""``POST /api/validate/``: the map page's live check of a drawn or typed location.

Takes a GeoJSON geometry or typed coordinates plus the LAO and kind, and returns the preview
geometry, the units it lies in and the validation findings (``ValidationResult.as_dict``).
Malformed input is a 400 with ``{"errors": [{"field", "message_th", "message_en"}]}`` — never a
500. The domain work is ``validation.validate``; this module only reads and checks the request.
"""

from __future__ import annotations

import re

from django.db import DatabaseError, transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from layers.models import Organization
from projects_geo import coords, fiscal
from projects_geo.models import Kind
from projects_geo.validation import validate


def _err(field, en, th):
    return {"field": field, "message_th": th, "message_en": en}


def read_request(data) -> tuple[dict, list]:
    """Check the body; returns (arguments for ``validate``, errors)."""
    if not isinstance(data, dict):
        return {}, [_err(None, "The body must be a JSON object.", "เนื้อหาคำขอต้องเป็นออบเจกต์ JSON")]
    out, errors = {}, []
    _read_organization(data, out, errors)
    _read_kind(data, out, errors)
    _read_location(data, out, errors)
    _read_crs(data, out, errors)
    _read_typed_as(data, out, errors)
    _read_numbers(data, out, errors)
    return out, errors


def _read_organization(data, out, errors) -> None:
    """``lao``: the 7-digit DLA code of an existing organisation → ``out["organization"]``."""
    lao = data.get("lao")
    if not isinstance(lao, (str, int)) or not re.fullmatch(r"\d{7}", str(lao)):
        errors.append(
            _err(
                "lao",
                "lao must be the 7-digit DLA code of the organisation.",
                "lao ต้องเป็นรหัส อปท. 7 หลักของกรมส่งเสริมการปกครองท้องถิ่น",
            )
        )
        return
    out["organization"] = (
        Organization.objects.filter(dla_code=str(lao)).only("id", "province_id", "amphoe_id", "type").first()
    )
    if out["organization"] is None:
        errors.append(_err("lao", f"No LAO with DLA code {lao}.", f"ไม่พบ อปท. รหัส {lao}"))


def _read_kind(data, out, errors) -> None:
    """``kind``: water or road → ``out["kind"]``."""
    kind = data.get("kind")
    if kind not in Kind.values:
        errors.append(_err("kind", 'kind must be "water" or "road".', 'kind ต้องเป็น "water" (แหล่งน้ำ) หรือ "road" (ถนน)'))
    out["kind"] = kind


def _read_location(data, out, errors) -> None:
    """Either ``geometry`` (GeoJSON) or ``text`` (typed coordinates) → ``out["value"]``."""
    geometry, text = data.get("geometry"), data.get("text")
    if geometry is not None and not isinstance(geometry, dict):
        errors.append(
            _err(
                "geometry",
                "geometry must be a GeoJSON geometry object or null.",
                "geometry ต้องเป็นออบเจกต์ GeoJSON หรือ null",
            )
        )
    if text is not None and not isinstance(text, str):
        errors.append(_err("text", "text must be a string or null.", "text ต้องเป็นข้อความหรือ null"))
    if (geometry is None) == (text in (None, "")):
        errors.append(
            _err(
                "geometry",
                "Give either geometry (GeoJSON) or text (typed coordinates), not both or neither.",
                "ให้ระบุ geometry (GeoJSON) หรือ text (พิกัดที่พิมพ์) อย่างใดอย่างหนึ่ง",
            )
        )
    out["value"] = geometry if geometry is not None else text


def _read_crs(data, out, errors) -> None:
    """``datum`` and UTM ``zone`` (47/48) of typed coordinates → ``out["datum"]``, ``out["zone"]``."""
    try:
        out["datum"] = coords.normalise_datum(data.get("datum"))
    except coords.CoordinateParseError as exc:
        errors.append(_err("datum", exc.message_en, exc.message_th))
    zone = data.get("zone")
    zone_text = None if zone in (None, "") else str(zone).strip().upper().removesuffix("N")
    if zone_text is not None and zone_text not in ("47", "48"):
        errors.append(
            _err(
                "zone",
                "zone must be 47 or 48 (UTM zones 47N/48N) or null.",
                "zone ต้องเป็น 47 หรือ 48 (UTM โซน 47N/48N) หรือ null",
            )
        )
    out["zone"] = int(zone_text) if zone_text in ("47", "48") else None


def _read_typed_as(data, out, errors) -> None:
    """``typed_as``: how a geometry's coordinates were typed (``{"form": "utm"|"decimal"|"dms",
    "zone", "datum"}``, the ``typed_as`` of a preview's answer) → ``out["typed_as"]``. A UTM zone or
    datum mix-up is looked for only in coordinates typed as UTM; a drawn geometry sends none."""
    value = data.get("typed_as")
    out["typed_as"] = None
    if value is None:
        return
    form = value.get("form") if isinstance(value, dict) else None
    zone = value.get("zone") if isinstance(value, dict) else None
    datum = value.get("datum") if isinstance(value, dict) else None
    if form not in ("utm", "decimal", "dms") or zone not in (None, 47, 48) or datum not in (None, *coords.DATUM_LABELS):
        errors.append(
            _err(
                "typed_as",
                'typed_as must be {"form": "utm", "decimal" or "dms", "zone": 47, 48 or null, '
                '"datum": "wgs84", "indian1975" or null} or null.',
                'typed_as ต้องเป็น {"form": "utm", "decimal" หรือ "dms", "zone": 47, 48 หรือ null, '
                '"datum": "wgs84", "indian1975" หรือ null} หรือ null',
            )
        )
        return
    out["typed_as"] = {"form": form, "zone": zone, "datum": datum}


def _read_numbers(data, out, errors) -> None:
    """``fiscal_year`` and ``project_id``: whole numbers in range, or null → ``out``."""
    for name, lo, hi in (("fiscal_year", fiscal.MIN_FISCAL_YEAR, fiscal.MAX_FISCAL_YEAR), ("project_id", 1, 2**62)):
        value = data.get(name)
        if value in (None, ""):
            out[name] = None
        elif isinstance(value, bool) or not re.fullmatch(r"\d{1,19}", str(value)) or not lo <= int(value) <= hi:
            errors.append(
                _err(
                    name,
                    f"{name} must be a whole number between {lo} and {hi} or null.",
                    f"{name} ต้องเป็นจำนวนเต็มระหว่าง {lo} ถึง {hi} หรือ null",
                )
            )
        else:
            out[name] = int(value)


class ValidateView(APIView):
    """Validate a location for an LAO and kind; see the module docstring for the JSON shapes."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Validate a location for an LAO and kind",
        description=(
            "Body: {geometry: GeoJSON | null, text: typed coordinates | null, datum: wgs84 | indian1975 | null, "
            "zone: 47 | 48 | null, lao: 7-digit DLA code, kind: water | road, fiscal_year, project_id}. "
            "Answer: {geometry, preview, units, findings, ok}."
        ),
        # the JSON Schema components are analysis/rest/schema.py's (the API's schema)
        request={"application/json": {"$ref": "#/components/schemas/ValidateRequest"}},
        responses={
            200: {"$ref": "#/components/schemas/ValidationResult"},
            **{
                code: OpenApiResponse({"$ref": "#/components/schemas/Errors"}, description=text)
                for code, text in (
                    (400, "malformed input, or a location that cannot be read"),
                    (403, "not signed in, or an LAO the user may not see"),
                    (415, "a body that is not JSON"),
                    (429, "sign-in locked after too many failed attempts"),
                )
            },
        },
    )
    def post(self, request):
        try:
            data = request.data
        except ParseError as exc:
            return Response(
                {"errors": [_err(None, f"The body is not valid JSON ({exc.detail}).", "เนื้อหาคำขอไม่ใช่ JSON ที่ถูกต้อง")]},
                status=400,
            )
        args, errors = read_request(data)
        if errors:
            return Response({"errors": errors}, status=400)
        # the findings name the LAO's projects (duplicates): only for an LAO the user may see
        if not access.visible_organizations(request.user).filter(pk=args["organization"].pk).exists():
            return Response(
                {
                    "errors": [
                        _err(
                            "lao",
                            "You may not work with the projects of this LAO.",
                            "ท่านไม่มีสิทธิ์ใช้งานข้อมูลโครงการของ อปท. นี้",
                        )
                    ]
                },
                status=403,
            )
        try:
            with transaction.atomic():
                result = validate(
                    args["value"],
                    args["organization"],
                    args["kind"],
                    fiscal_year=args["fiscal_year"],
                    exclude_project_id=args["project_id"],
                    datum=args["datum"],
                    zone=args["zone"],
                    input_crs_hint=args["typed_as"],
                )
        except DatabaseError:
            return Response(
                {
                    "errors": [
                        _err(
                            "geometry",
                            "The geometry could not be processed; check its coordinates.",
                            "ประมวลผลรูปเรขาคณิตนี้ไม่ได้ ตรวจสอบพิกัด",
                        )
                    ]
                },
                status=400,
            )
        parse = [f for f in result.findings if f.code == "unparseable"]
        if parse:
            field = "geometry" if isinstance(args["value"], dict) else "text"
            return Response({"errors": [_err(field, f.message_en, f.message_th) for f in parse]}, status=400)
        return Response(result.as_dict())
