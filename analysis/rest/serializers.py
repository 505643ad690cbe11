"""Serializers of the project API: the detail Feature (with stages and tambons), summaries. The
features of the list and of the boundary layers are built in SQL (``common.features``); what the
OpenAPI schema says of them, and of the detail, is in ``analysis/rest/schema.py``."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from projects_geo.models import Project, ProjectStage, ProjectTambon


class StageSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = ProjectStage
        fields = ["stage", "label", "date", "amount", "note", "funding_source"]


class TambonShareSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="tambon.code")
    name_th = serializers.CharField(source="tambon.name_th")
    name_en = serializers.CharField(source="tambon.name_en")

    class Meta:
        model = ProjectTambon
        fields = ["code", "name_th", "name_en", "share"]


class ProjectFeatureSerializer(GeoFeatureModelSerializer):
    """The properties of a project, as the list's SQL writes them (``common.features.PROJECT_PROPERTIES``)."""

    lao_code = serializers.CharField(source="organization.dla_code", read_only=True)
    lao_name = serializers.CharField(source="organization.display_name", read_only=True)  # with its type: ทม.ป่าตอง
    province = serializers.CharField(source="province.code", read_only=True, allow_null=True)
    amphoe = serializers.CharField(source="amphoe.code", read_only=True, allow_null=True)
    tambon = serializers.CharField(source="tambon.code", read_only=True, allow_null=True)

    class Meta:
        model = Project
        geo_field = "geom"
        fields = [
            "id",
            "name",
            "kind",
            "subtype",
            "fiscal_year",
            "budget",
            "current_stage",
            "lao_code",
            "lao_name",
            "province",
            "amphoe",
            "tambon",
            "length_m",
            "funding_source",
        ]


class ProjectDetailSerializer(ProjectFeatureSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    subtype_label = serializers.CharField(source="get_subtype_display", read_only=True)
    current_stage_label = serializers.CharField(source="get_current_stage_display", read_only=True, allow_null=True)
    funding_source_label = serializers.CharField(source="get_funding_source_display", read_only=True)
    stages = StageSerializer(many=True, read_only=True)
    tambons = TambonShareSerializer(source="tambon_shares", many=True, read_only=True)

    class Meta(ProjectFeatureSerializer.Meta):
        fields = ProjectFeatureSerializer.Meta.fields + [
            "kind_label",
            "subtype_label",
            "current_stage_label",
            "funding_source_label",
            "plan_reference",
            "source_ref",
            "stages",
            "tambons",
            "created_at",
            "updated_at",
        ]


class TotalSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    budget_total = serializers.DecimalField(max_digits=18, decimal_places=2)


class KindTotalSerializer(TotalSerializer):
    kind = serializers.CharField()
    label = serializers.CharField()


class StageTotalSerializer(TotalSerializer):
    stage = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()


class SummarySerializer(TotalSerializer):
    by_kind = KindTotalSerializer(many=True)
    by_stage = StageTotalSerializer(many=True)


class BoundaryFeatureSerializer(serializers.Serializer):
    """A boundary Feature (built in SQL; its schema is ``analysis.rest.schema``'s ``BoundaryFeature``)."""

    type = serializers.CharField(default="Feature")
    id = serializers.CharField(help_text="official code")
    geometry = serializers.JSONField()
    properties = serializers.DictField()
