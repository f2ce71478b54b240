"""Search index updates go through Celery, so a save never waits for Elasticsearch and an
update that fails is tried again until the index has caught up.

modelsearch would write an indexed model to every backend from its `post_save` handler, in
the request, and only log a failure. A model that inherits QueuedIndexed switches that off
(`search_auto_update = False`) and instead, once the transaction commits, queues one task per
configured backend (core.tasks.search_index_update) that reads the row afresh and adds it to
the index — or removes it, when the row is gone or no longer belongs in the index.
"""

import functools
from typing import ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from wagtail.search import index
from wagtail.search.backends import get_search_backend

from core.outbox import enqueue


def backend_names() -> list[str]:
    return list(settings.WAGTAILSEARCH_BACKENDS) or ["default"]


def index_queue(model: type[models.Model], pk) -> None:
    """Have the index entry of `model` row `pk` brought up to date once the transaction
    commits, in every backend. For writes that send no signal (bulk_create, update())."""
    from core.tasks import search_index_update

    for name in backend_names():
        enqueue(search_index_update, name, model._meta.label, str(pk))


def index_object_update(*, backend_name: str, model_label: str, pk: str) -> None:
    """Bring one row's index entry in one backend up to date with the database."""
    model = apps.get_model(model_label)
    backend = get_search_backend(backend_name)
    obj = model.get_indexed_objects().filter(pk=pk).first()
    if obj is None:
        backend.delete(model(pk=pk))
    else:
        backend.add(obj)


def _saved_or_deleted(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # fixtures loading
        index_queue(sender, instance.pk)


def _source_changed(target: type[models.Model], attname: str, instance, raw=False, **kwargs):
    if not raw and getattr(instance, attname) is not None:
        index_queue(target, getattr(instance, attname))


class QueuedIndexed(index.Indexed):
    """An indexed model whose index entries are kept by Celery tasks (see the module).

    `search_index_sources` names other models whose rows go into this model's entries, as
    {"app_label.ModelName": attribute of such a row holding this model's primary key}; a
    saved or deleted row of theirs has the entry it feeds updated."""

    search_auto_update = False
    search_index_sources: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs):
        # Wired as the class is made, so no app's ready() has to remember it; modelsearch
        # connects its own handlers in the same way, for every model it finds indexed.
        super().__init_subclass__(**kwargs)
        uid = f"search-index:{cls.__module__}.{cls.__qualname__}"
        post_save.connect(_saved_or_deleted, sender=cls, weak=False, dispatch_uid=uid)
        post_delete.connect(_saved_or_deleted, sender=cls, weak=False, dispatch_uid=uid)
        for source, attname in cls.search_index_sources.items():
            handler = functools.partial(_source_changed, cls, attname)
            source_uid = f"{uid}:{source}"
            post_save.connect(handler, sender=source, weak=False, dispatch_uid=source_uid)
            post_delete.connect(handler, sender=source, weak=False, dispatch_uid=source_uid)
