"""JSON renderers that splice feature JSON texts made by PostgreSQL into the response as is."""

from __future__ import annotations

import json

from rest_framework.renderers import JSONRenderer

from common.features import with_features


class RawFeatures(list):
    """A list of GeoJSON Feature JSON texts (UTF-8 bytes) to be embedded without re-encoding."""


class FeatureCollectionJSONRenderer(JSONRenderer):
    """``application/json``; a ``features`` member that is ``RawFeatures`` is copied verbatim."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and isinstance(data.get("features"), RawFeatures):
            indent = self.get_indent(accepted_media_type, renderer_context or {})
            if indent:  # browsable API: humans, pretty-printed; speed does not matter
                data = {**data, "features": [json.loads(f) for f in data["features"]]}
                return super().render(data, accepted_media_type, renderer_context)
            head = {k: v for k, v in data.items() if k != "features"}
            text = json.dumps(head, cls=self.encoder_class, ensure_ascii=False, separators=(",", ":"))
            return with_features(text, data["features"])
        return super().render(data, accepted_media_type, renderer_context)


class GeoJSONRenderer(FeatureCollectionJSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"
