"""Helpers for data migrations that several apps share."""

import os
import uuid

from django.core.files.storage import storages


def files_to_private_storage(model, field_names: list[str], folder_of: dict[str, str]) -> None:
    """Move each file of `model`'s `field_names` from the public media storage to the private
    one, under a random name (core.files.RandomName). For a historical model inside a
    migration's RunPython: it copies, re-points the row, then deletes the public copy."""
    public, private = storages["default"], storages["private"]
    for row in model._default_manager.all().iterator():
        changed = []
        for field in field_names:
            name = getattr(row, field).name
            if not name or not public.exists(name):
                continue
            extension = os.path.splitext(name)[1].lower()[:10]
            with public.open(name, "rb") as source:
                new_name = private.save(f"{folder_of[field]}/{uuid.uuid4().hex}{extension}", source)
            setattr(row, field, new_name)
            changed.append((field, name))
        if changed:
            row.save(update_fields=[field for field, _old in changed])
            for _field, old in changed:
                public.delete(old)
