"""Leaflet.draw's toolbar texts (django-leaflet's ``leaflet_draw_i18n``), listed so our catalogue
translates them into Thai: django-leaflet ships no Thai translation."""

from django.utils.translation import gettext_noop as _

MESSAGES = [
    _("Reset view"),
    _("Cancel drawing"),
    _("Cancel"),
    _("Delete last point drawn"),
    _("Delete last point"),
    _("Draw a polyline"),
    _("Draw a marker"),
    _("Click map to place marker."),
    _("<strong>Error:</strong> shape edges cannot cross!"),
    _("Click to start drawing line."),
    _("Click to continue drawing line."),
    _("Click last point to finish line."),
    _("Save changes."),
    _("Save"),
    _("Cancel editing, discards all changes."),
    _("Edit layers"),
    _("No layers to edit."),
    _("Delete layers"),
    _("No layers to delete."),
    _("Drag handles, or marker to edit feature."),
    _("Click cancel to undo changes."),
    _("Click on a feature to remove"),
]
