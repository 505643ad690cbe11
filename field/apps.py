from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _

from . import signals


class FieldConfig(AppConfig):
    name = "field"
    verbose_name = _("Field capture")

    def ready(self):
        # a deleted photo's files go once the deletion commits
        post_delete.connect(signals.delete_photo_files, sender="field.Photo", dispatch_uid="field.photo_files")
