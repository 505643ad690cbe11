"""Admin for boundaries and the LAO registry, with django-leaflet map widgets."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from .models import Amphoe, Organization, Province, Tambon


class BoundaryAdmin(LeafletGeoAdmin):
    list_display = ("code", "name_th", "name_en")
    search_fields = ("code", "name_th", "name_en")
    ordering = ("code",)
    list_per_page = 50

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        # The list never shows the boundary: do not fetch it.
        return (
            qs.defer("geom")
            if request.resolver_match and request.resolver_match.url_name.endswith("changelist")
            else qs
        )


@admin.register(Province)
class ProvinceAdmin(BoundaryAdmin):
    pass


@admin.register(Amphoe)
class AmphoeAdmin(BoundaryAdmin):
    list_display = ("code", "name_th", "name_en", "province")
    list_filter = ("province",)
    list_select_related = ("province",)
    autocomplete_fields = ("province",)


@admin.register(Tambon)
class TambonAdmin(BoundaryAdmin):
    list_display = ("code", "name_th", "name_en", "amphoe")
    list_select_related = ("amphoe",)
    list_filter = ("amphoe__province",)
    autocomplete_fields = ("amphoe",)


@admin.register(Organization)
class OrganizationAdmin(LeafletGeoAdmin):
    list_display = ("dla_code", "name_th", "type", "province", "amphoe")
    list_filter = ("type", "province")
    list_select_related = ("province", "amphoe")
    search_fields = ("dla_code", "name_th", "name_en")
    autocomplete_fields = ("province", "amphoe")
    list_per_page = 50
