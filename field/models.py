"""Field capture: photos kept as evidence of a project (or of one of its budget stages) and the
receipts of the phone's queued sends (one per idempotency key, so a send repeated after a lost
answer is answered again, not applied twice).

A photo's file is stored through Django's storage API (``storages["photos"]``: local disk under
MEDIA_ROOT by default, an S3-compatible store by setting, see docs/operations.md) as a re-encoded
copy without its EXIF block; the position and time read from the EXIF are kept here as data. The
files are never linked from MEDIA_URL: they are served by ``field.views.photos`` after the access
rules (``accounts.access.can_view_photo``).
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from projects_geo.models import Project, ProjectStage


class _PhotoStorage(LazyObject):
    """``storages["photos"]``, looked up when first used (and again after STORAGES changes), so the
    setting decides where photos go even though a model field binds its storage at import."""

    def _setup(self):
        self._wrapped = storages["photos"]


PHOTO_STORAGE = _PhotoStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        PHOTO_STORAGE._wrapped = empty


def photo_storage():
    return PHOTO_STORAGE


class Photo(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos", verbose_name=_("project"))
    stage = models.ForeignKey(
        ProjectStage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("budget stage"),
    )
    image = models.FileField(_("photo"), storage=photo_storage, upload_to="photos/%Y/%m/", max_length=200)
    thumbnail = models.FileField(
        _("thumbnail"), storage=photo_storage, upload_to="photos/thumbs/%Y/%m/", max_length=200
    )
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # From the EXIF of the uploaded file (kept as data; the served file has no EXIF).
    location = models.PointField(_("where it was taken"), srid=4326, null=True, blank=True)
    taken_at = models.DateTimeField(_("when it was taken"), null=True, blank=True)
    distance_m = models.FloatField(_("distance from the project (m)"), null=True, blank=True)
    findings = models.JSONField(_("warnings"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["project", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name or f"photo {self.pk}"


class SyncReceipt(models.Model):
    """The answer given to one queued send of the phone, kept under its idempotency key."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
