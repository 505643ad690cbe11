"""Folium maps of report layers, using the vendored Leaflet (django-leaflet's static files).

Folium normally links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; ``LocalMap`` replaces
those links with our static Leaflet (the choropleth needs nothing else), and ``render_map`` can
instead inline Leaflet's JS and CSS so a downloaded HTML file works offline on its own. Labels
(tooltips, legend, title) are Thai with the site's Thai-capable font stack; there is no base map
unless ``BASEMAP_URL`` is set.

Folium writes its map as inline ``<script>`` and ``<style>`` elements; the map frame is served
under the site's Content-Security-Policy with a per-response nonce on each of them
(``render_map(nonce=…)``), and the legend has no ``style`` attributes (its colours are classes).
"""

from __future__ import annotations

import re
from html import escape

import folium
from branca.element import Element
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.translation import gettext as _

LEAFLET_JS = "leaflet/leaflet.js"
LEAFLET_CSS = "leaflet/leaflet.css"
MAP_CSS = "reports/folium_map.css"


class LocalMap(folium.Map):
    """A folium Map that loads only our static Leaflet (class attributes: folium's lists stay untouched)."""

    default_js = [("leaflet", static(LEAFLET_JS))]
    default_css = [("leaflet_css", static(LEAFLET_CSS)), ("gisplan_map_css", static(MAP_CSS))]


class InlineAssetsMap(folium.Map):
    """A folium Map with no external links at all (assets are inlined by ``render_map``)."""

    default_js = []
    default_css = []


# A colour as it may appear in the legend's CSS (the palettes of reports/layers.py).
_CSS_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


def legend_html(legend: dict, fmt) -> str:
    """A plain-HTML legend in the map's corner (no d3/branca colormap, so no CDN).

    Swatch colours are classes of a ``<style>`` element (no ``style`` attribute: the CSP has no
    'unsafe-inline'); a colour that is not a hex colour is left out.
    """
    entries = [(c["color"], f"{fmt(c['min'])} – {fmt(c['max'])}") for c in legend["classes"]]
    entries.append((legend["none"]["color"], str(legend["none"]["label"])))
    rules = "".join(
        f".gisplan-legend .swatch-{i} {{ background: {colour}; }}"
        for i, (colour, _label) in enumerate(entries)
        if _CSS_COLOUR.fullmatch(str(colour))
    )
    rows = "".join(
        f'<li><span class="swatch swatch-{i}"></span>{escape(label)}</li>' for i, (_colour, label) in enumerate(entries)
    )
    return (
        f"<style>{rules}</style>"
        f'<div class="gisplan-legend"><div class="legend-title">{escape(legend["title"])}</div>'
        f"<ul>{rows}</ul></div>"
    )


def number_format(unit: str):
    def fmt(v):
        if v is None:
            return "–"
        if unit in ("%", "points"):
            return f"{v:,.1f}" if unit == "%" else f"{v:,.2f}"
        return f"{v:,.0f}"

    return fmt


def build_map(layer: dict, *, title: str = "", inline: bool = False) -> folium.Map:
    """A folium map of a ``layers.choropleth`` FeatureCollection, fitted to its features."""
    cls = InlineAssetsMap if inline else LocalMap
    m = cls(
        location=settings.LEAFLET_CONFIG["DEFAULT_CENTER"],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
    )
    if settings.BASEMAP_URL:
        folium.TileLayer(settings.BASEMAP_URL, attr=settings.BASEMAP_ATTRIBUTION or " ", name=_("Base map")).add_to(m)
    fmt = number_format(layer["legend"]["unit"])
    features = [f for f in layer["features"] if f["geometry"]]
    for f in features:
        f["properties"]["value_text"] = fmt(f["properties"]["value"])
    data = {"type": "FeatureCollection", "features": features}
    if features:
        folium.GeoJson(
            data,
            name=layer["legend"]["title"],
            style_function=lambda f: {
                "fillColor": f["properties"]["color"],
                "color": "#555",
                "weight": 0.6,
                "fillOpacity": 0.8,
            },
            highlight_function=lambda f: {"weight": 2, "color": "#000"},
            tooltip=folium.GeoJsonTooltip(
                fields=["name_th", "code", "value_text"],
                aliases=[_("Name"), _("Code"), layer["legend"]["title"]],
                localize=False,
            ),
        ).add_to(m)
        bounds = _bounds(features)
        if bounds:
            m.fit_bounds(bounds)
    if title:
        m.get_root().html.add_child(Element(f'<div class="gisplan-map-title">{escape(title)}</div>'))
    m.get_root().html.add_child(Element(legend_html(layer["legend"], fmt)))
    return m


def _bounds(features):
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in features:
        walk(f["geometry"]["coordinates"])
    return [[min(ys), min(xs)], [max(ys), max(xs)]] if xs else None


def render_map(layer: dict, *, title: str = "", inline: bool = False, nonce: str = "") -> str:
    """The map as one HTML document; with ``inline`` Leaflet's JS/CSS are embedded (offline file).

    With ``nonce``, every ``<script>`` and ``<style>`` element carries it (the page's CSP nonce).
    """
    m = build_map(layer, title=title, inline=inline)
    fig = m.get_root()
    fig.header.add_child(Element('<meta charset="utf-8">'), name="charset")
    if inline:
        css = "\n".join(_read_static(p) for p in (LEAFLET_CSS, MAP_CSS))
        fig.header.add_child(Element(f"<style>{css}</style>"), name="inline_css")
        js = _read_static(LEAFLET_JS).replace("</script", "<\\/script")
        fig.header.add_child(Element(f"<script>{js}</script>"), name="inline_leaflet")
    html = fig.render()
    return with_nonce(html, nonce) if nonce else html


# A <script> or <style> element: its start tag's attributes, then its text up to the end tag. Their
# text is raw (it ends at the first "</script" / "</style"), so a match never starts inside one.
_RAW_TEXT_ELEMENT = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1(?=[\s/>])", re.IGNORECASE | re.DOTALL)


def with_nonce(html: str, nonce: str) -> str:
    """``html`` with ``nonce="…"`` on each of its ``<script>`` and ``<style>`` elements."""
    quoted = escape(nonce, quote=True)
    return _RAW_TEXT_ELEMENT.sub(lambda m: f'<{m[1]} nonce="{quoted}"{m[2]}>{m[3]}</{m[1]}', html)


def _read_static(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} not found; is django-leaflet installed?")
    with open(found, encoding="utf-8") as fh:
        return fh.read()
