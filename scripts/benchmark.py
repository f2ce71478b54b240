"""Measure the public list pages on large data; write their section of docs/benchmarks.md.

    make benchmark                       # SQLite in var/benchmark.sqlite3
    DATABASE_URL=postgres://… make benchmark
    BENCH_AGENCIES=2000 BENCH_REQUESTS=10000 make benchmark   # smaller, as CI runs it

Creates the data once (seed_demo, then seed_scale up to the sizes below) and reuses it on
later runs. Times are wall-clock medians of in-process requests through Django's test client,
so they measure our code and the database, not the network. Each page is also given as a
multiple of a bare page — the site's layout with nothing in it, through the same middleware
(scripts/benchmark_urls.py) — measured in the same run; the goal is at most 2× for every
public list page, and the same number of queries deep in a list as on its first page.
"""

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'benchmark.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# As production serves them: with DEBUG on (the demo's default) Django also records every
# query's SQL and time, a cost no visitor's page pays.
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from benchmark_sections import PATH, section_write  # noqa: E402 -- beside this script
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation, Role  # noqa: E402
from agencies.selectors import agency_public_list  # noqa: E402
from core.pagination import keyset_cursor  # noqa: E402
from market.models import PurchaseRequest  # noqa: E402
from market.selectors import notice_public_list  # noqa: E402

AGENCIES = int(os.environ.get("BENCH_AGENCIES", 20_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 100_000))
RUNS = 15
GOAL_RATIO = 2.0


def pages() -> list[tuple[str, str, str | None]]:
    """The pages measured, each with the page it must cost the same number of queries as. The
    deep ones are reached as a visitor reaches them, by following "next" from the page before
    (here: the cursor of the row that ends the page before)."""
    roster, notices = agency_public_list(), notice_public_list()
    # Deep, yet with a full page after it at any size the script is run at.
    roster_row = min(10_000, roster.count() // 2)
    notice_row = min(40_000, notices.count() // 2)
    return [
        ("bare page (the layout alone)", "/benchmark/bare/", None),
        ("home page", "/", None),
        ("catalogue", "/catalogue/", None),
        ("catalogue search 评价", "/catalogue/?q=%E8%AF%84%E4%BB%B7", None),
        ("agency roster, first page", "/agencies/", None),
        (
            f"agency roster, from row {roster_row:,}",
            f"/agencies/?after={keyset_cursor(roster, roster[roster_row])}",
            "agency roster, first page",
        ),
        ("notices", "/notices/", None),
        (
            f"notices, from row {notice_row:,}",
            f"/notices/?after={keyset_cursor(notices, notices[notice_row])}",
            "notices",
        ),
    ]


def ensure_data() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    missing_agencies = AGENCIES - Organisation.objects.filter(kind=Role.AGENCY).count()
    missing_requests = REQUESTS - PurchaseRequest.objects.count()
    if missing_agencies > 0 or missing_requests > 0:
        call_command(
            "seed_scale",
            agencies=max(missing_agencies, 0),
            requests=max(missing_requests, 0),
        )


def measure(client: Client, urls: list[str]) -> list[tuple[float, float, int]]:
    """Median and 90th percentile ms and the query count of each URL. The pages take turns,
    one request each per round, so a moment when the machine runs slow (a shared virtual
    machine's speed varied 1.7× from second to second here) falls on all of them alike
    instead of on whichever page was being measured then."""
    counts: dict[str, int] = {}
    for url in urls:
        client.get(url)  # warm caches and connections
    for url in urls:
        # Counted apart from the timed requests: recording the queries has a cost of its own.
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        counts[url] = len(queries)
    timings: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(RUNS):
        for url in urls:
            started = time.perf_counter()
            client.get(url)
            timings[url].append((time.perf_counter() - started) * 1000)
    results = []
    for url in urls:
        ordered = sorted(timings[url])
        results.append((statistics.median(ordered), ordered[int(len(ordered) * 0.9)], counts[url]))
    return results


def database_version() -> str:
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10_000)
        return f"PostgreSQL {major}.{minor}"
    return f"SQLite {connection.Database.sqlite_version}"


def main() -> None:
    ensure_data()
    # With DEBUG off, pages name their static files through the manifest collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.ROOT_URLCONF = "benchmark_urls"
    cache.clear()
    client = Client(SERVER_NAME="127.0.0.1")
    measured = pages()
    figures = measure(client, [url for _label, url, _same_as in measured])
    rows = [
        (label, url, *figure)
        for (label, url, _same_as), figure in zip(measured, figures, strict=True)
    ]
    bare = rows[0][2]
    agencies = Organisation.objects.filter(kind=Role.AGENCY).count()
    requests = PurchaseRequest.objects.count()
    vendor = connection.vendor
    over = [label for label, _url, median, *_ in rows[1:] if median > GOAL_RATIO * bare]
    lines = [
        f"<!-- lists-{vendor} -->",
        f"## List pages on {'PostgreSQL' if vendor == 'postgresql' else 'SQLite'}",
        "",
        "Written by `make benchmark` (scripts/benchmark.py); do not edit by hand.",
        "",
        f"- Run: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Shanghai)",
        f"- Machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- Database: {database_version()}; {agencies} agencies, {requests} purchase requests",
        f"- Each figure: {RUNS} in-process requests through Django's test client after one "
        "warm-up, the pages taking turns, DEBUG off; × bare is the median over the bare "
        "page's median in this run",
        f"- Goal: every list page within {GOAL_RATIO:g}× the bare page: "
        + ("met" if not over else f"not met by {', '.join(over)}"),
        "",
        "| page | URL | median ms | p90 ms | × bare | queries |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {label} | `{url if len(url) < 40 else url[:37] + '…'}` | {median:.1f} | "
            f"{p90:.1f} | {median / bare:.1f} | {count} |"
            for label, url, median, p90, count in rows
        ),
        "",
    ]
    section_write(f"<!-- lists-{vendor} -->", "\n".join(lines))
    # The time goal is reported; a deep page costing more queries than its first is a defect.
    queries = {label: count for label, _url, _median, _p90, count in rows}
    growing = [
        f"{label}: {queries[label]} queries, {same_as}: {queries[same_as]}"
        for label, _url, same_as in measured
        if same_as is not None and queries[label] != queries[same_as]
    ]
    if growing:
        raise SystemExit("Query count grows deep in a list: " + "; ".join(growing))
    if not PATH.read_text(encoding="utf-8").startswith("# Benchmarks"):
        raise SystemExit(f"{PATH} lost its title")


if __name__ == "__main__":
    main()
