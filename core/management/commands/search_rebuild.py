"""Rebuild the search indexes from the database, as Wagtail's `update_index` does, with a
progress bar per model: after Elasticsearch was down longer than the index tasks retry, after
a change of what a model indexes, or to fill a new cluster."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from modelsearch.index import get_indexed_models
from modelsearch.management.commands.rebuild_modelsearch_index import group_models_by_index
from wagtail.search.backends import get_search_backend

from core.search.queue import backend_names

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Rebuild the search indexes from the database, showing progress."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend", help="Only this backend of WAGTAILSEARCH_BACKENDS (default: all)."
        )
        parser.add_argument(
            "--chunk-size", type=int, default=1000, help="Rows read and indexed at a time."
        )

    def handle(self, *args, backend=None, chunk_size=1000, **options):
        self.verbosity = options["verbosity"]
        self.live = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False
        for name in [backend] if backend else backend_names():
            self.rebuild(name, chunk_size)
        if connection.vendor == "sqlite":
            # Without statistics SQLite's planner runs the full-text match once per index
            # entry instead of once per search (about 100 ms per 1 000 entries, instead of
            # under 1 ms); PostgreSQL's autovacuum keeps its own statistics.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def rebuild(self, backend_name: str, chunk_size: int) -> None:
        backend = get_search_backend(backend_name)
        if not backend.rebuilder_class:
            self.say(f"{backend_name}: nothing to rebuild")
            return
        for index, models in group_models_by_index(backend, get_indexed_models()).items():
            # Atomic rebuilders (Elasticsearch's alias swap) keep the old index searchable
            # until the new one is complete.
            rebuilder = backend.rebuilder_class(index)
            new_index = rebuilder.start()
            for model in models:
                new_index.add_model(model)
            for model in models:
                self.index_model(backend_name, new_index, model, chunk_size)
            rebuilder.finish()

    @transaction.atomic  # so the rows counted are the rows indexed
    def index_model(self, backend_name: str, index, model, chunk_size: int) -> None:
        label = f"{backend_name}: {model._meta.label}"
        objects = model.get_indexed_objects().order_by("pk")
        total = objects.count()
        done = 0
        self.progress(label, done, total)
        chunk = list(objects[:chunk_size])
        while chunk:
            index.add_items(model, chunk)
            done += len(chunk)
            self.progress(label, done, total)
            # By key, not by offset: each chunk costs the same however far along it is.
            chunk = list(objects.filter(pk__gt=chunk[-1].pk)[:chunk_size])
        if self.live and self.verbosity > 0:
            self.stdout.write("")

    def progress(self, label: str, done: int, total: int) -> None:
        """`label [#########---------]  50%  500/1000`: redrawn in place on a terminal, one
        line per chunk elsewhere (a log keeps every line)."""
        if self.verbosity == 0:
            return
        share = done / total if total else 1.0
        filled = round(share * BAR_WIDTH)
        line = (
            f"{label:<40} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {share:4.0%}  {done}/{total}"
        )
        if self.live:
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
        else:
            self.stdout.write(line)

    def say(self, text: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(text)
