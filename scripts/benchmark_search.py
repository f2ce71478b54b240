"""Time searches of the agency roster on each search backend and write the figures into
docs/benchmarks.md (its "Search" section).

    .venv/bin/python scripts/benchmark_search.py
    ELASTICSEARCH_URL=http://127.0.0.1:59200 .venv/bin/python scripts/benchmark_search.py

For each size in BENCH_SIZES (10 000 and 100 000 agencies), makes that many active agencies
serving catalogue items, in a throwaway SQLite database in a temporary folder — or in
DATABASE_URL if set (use an empty database) — indexes them in every configured backend
(the database's own index always; Elasticsearch when ELASTICSEARCH_URL is set, in indexes
prefixed `bench_`), then runs each query BENCH_RUNS times as the search page does (the
number of results and the first twenty, with the synonyms applied). Goals: database p95 at
most 200 ms at 10 000 agencies, Elasticsearch p95 at most 50 ms at 100 000.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    WORK = Path(tempfile.mkdtemp(prefix="zjcs-search-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["SEARCH_INDEX"] = "bench"  # never the demo's or the tests' indexes

import django  # noqa: E402

django.setup()

from benchmark_sections import section_write  # noqa: E402 -- beside this script
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.search.backends import get_search_backend  # noqa: E402

from accounts.models import Organisation, Role  # noqa: E402
from agencies.models import Agency, AgencyServiceScope  # noqa: E402
from cms.search_selectors import searchable_agencies  # noqa: E402
from config.celery import app as celery_app  # noqa: E402
from core.search import parse_query  # noqa: E402
from tests.catalogue.factories import ServiceItemFactory  # noqa: E402

# The few rows saved one by one (the items) are indexed in this process, not queued to a
# worker's broker.
celery_app.conf.task_always_eager = True

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", 30))
QUERIES = ["评价", "环评", "水保", "测绘 有限公司", "成都 安全"]
ITEMS = ["环境影响评价文件编制", "安全评价", "水土保持方案编制", "房产测绘", "节能报告编制"]
WORDS = ["环境咨询", "安全技术", "测绘", "水利水电", "工程造价", "节能技术", "地质勘查", "建筑设计"]
REGIONS = ["成都市", "眉山市", "乐山市", "彭山区", "绵阳市"]
MARKER = "<!-- search -->"
BATCH = 5000


@transaction.atomic
def add_agencies(items, first: int, count: int) -> None:
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{REGIONS[n % 5]}{WORDS[n % 8]}{n:06d}有限公司",
                kind=Role.AGENCY,
                region=REGIONS[(n // 5) % 5],
                credit_code=f"S{n:017d}",
            )
            for n in range(first, first + count)
        ],
        batch_size=BATCH,
    )
    agencies = Agency.objects.bulk_create(
        [
            Agency(organisation=o, legal_representative="张三", status=Agency.Status.ACTIVE)
            for o in organisations
        ],
        batch_size=BATCH,
    )
    AgencyServiceScope.objects.bulk_create(
        [
            AgencyServiceScope(agency=agency, service_item=items[(first + n) % len(items)])
            for n, agency in enumerate(agencies)
        ],
        batch_size=BATCH,
    )


def index_all(backend_name: str) -> float:
    """Rebuild one backend's indexes as production does; returns the seconds it took."""
    started = time.perf_counter()
    call_command("search_rebuild", backend=backend_name, verbosity=0)
    return time.perf_counter() - started


def time_queries(backend_name: str) -> dict[str, tuple[float, float, int]]:
    """p50 and p95 in ms of each query, and how many agencies it found."""
    backend = get_search_backend(backend_name)
    active = searchable_agencies({})  # the search page's own query of the roster
    figures = {}
    for text in QUERIES:
        query = parse_query(text)
        samples = []
        found = 0
        for run in range(RUNS + 1):
            started = time.perf_counter()
            results = backend.search(query.search_query(), active, order_by_relevance=False)
            found = results.count()
            list(results[:20])
            if run:  # the first run warms caches up
                samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        figures[text] = (
            statistics.median(samples),
            samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
            found,
        )
    return figures


def main() -> None:
    call_command("migrate", verbosity=0)
    items = [ServiceItemFactory(name=name) for name in ITEMS]
    backends = list(settings.WAGTAILSEARCH_BACKENDS)
    rows = []
    made = 0
    for size in sorted(SIZES):
        add_agencies(items, made, size - made)
        made = size
        for name in backends:
            label = (
                "elasticsearch" if "URLS" in settings.WAGTAILSEARCH_BACKENDS[name] else "database"
            )
            seconds = index_all(name)
            print(f"{label}: {size} agencies indexed in {seconds:.1f} s", flush=True)
            for text, (p50, p95, found) in time_queries(name).items():
                rows.append((label, size, text, p50, p95, found))
                print(f"  {text}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {found} found", flush=True)
    write(rows)


def write(rows) -> None:
    section = "\n".join(
        [
            MARKER,
            "## Search",
            "",
            "Written by scripts/benchmark_search.py; do not edit by hand.",
            "",
            f"- Run: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Shanghai)",
            f"- Machine: {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}",
            f"- Database: {connection.vendor}; active agencies serving one of {len(ITEMS)} "
            "catalogue items each; each query run "
            f"{RUNS} times after one warm-up, as the search page runs it (count and first 20, "
            "synonyms applied)",
            "- Goals: database p95 ≤ 200 ms at 10 000 agencies; Elasticsearch p95 ≤ 50 ms at "
            "100 000",
            "",
            "| backend | agencies | query | p50 ms | p95 ms | found |",
            "| --- | ---: | --- | ---: | ---: | ---: |",
            *(
                f"| {backend} | {size} | {text} | {p50:.1f} | {p95:.1f} | {found} |"
                for backend, size, text, p50, p95, found in rows
            ),
            "",
        ]
    )
    section_write(MARKER, section)


if __name__ == "__main__":
    main()
