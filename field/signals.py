"""A photo's files (the served JPEG and its thumbnail) are deleted with its row — one photo deleted,
or all of a project's when the project itself is deleted for good — once the deletion commits: a
rolled-back deletion keeps them. Works the same on the file system and on S3 (the storage's own
``delete``). Connected to ``post_delete`` of ``field.Photo`` in ``FieldConfig.ready``."""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def _delete_files(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # already gone, or the storage refused: the row is gone either way
            log.warning("photo file not deleted: %s", name, exc_info=True)


def delete_photo_files(sender, instance, using, **kwargs):
    names = [f.name for f in (instance.image, instance.thumbnail) if f and f.name]
    if names:
        storage = instance.image.storage
        transaction.on_commit(lambda: _delete_files(storage, names), using=using)
