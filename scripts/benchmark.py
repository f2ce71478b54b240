"""Measure the public list pages on large data and write docs/benchmarks.md.

    make benchmark                       # SQLite in var/benchmark.sqlite3
    DATABASE_URL=postgres://… make benchmark

Creates the data once (seed_demo, then seed_scale up to the sizes below) and reuses it on
later runs. Times are wall-clock medians of in-process requests through Django's test client,
so they measure our code and the database, not the network.
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

import django  # noqa: E402

django.setup()

from benchmark_sections import PATH, sections_kept  # noqa: E402 -- beside this script
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation, Role  # noqa: E402
from market.models import PurchaseRequest  # noqa: E402

AGENCIES = int(os.environ.get("BENCH_AGENCIES", 20_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 100_000))
RUNS = 15
PAGES = [
    ("home page", "/"),
    ("catalogue", "/catalogue/"),
    ("catalogue search 评价", "/catalogue/?q=%E8%AF%84%E4%BB%B7"),
    ("agency roster, first page", "/agencies/"),
    ("agency roster, page 500", "/agencies/?page=500"),
    ("notices", "/notices/"),
    ("notices, page 2000", "/notices/?page=2000"),
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


def measure(client: Client, url: str) -> tuple[float, float, int]:
    client.get(url)  # warm caches and connections
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9)], len(queries)


def main() -> None:
    ensure_data()
    client = Client(SERVER_NAME="127.0.0.1")
    rows = [(label, url, *measure(client, url)) for label, url in PAGES]
    agencies = Organisation.objects.filter(kind=Role.AGENCY).count()
    requests = PurchaseRequest.objects.count()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make benchmark` (scripts/benchmark.py); do not edit by hand.",
        "",
        f"- Run: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Shanghai)",
        f"- Machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        f"- Database: {connection.vendor}; {agencies} agencies, {requests} purchase requests",
        f"- Each figure: {RUNS} in-process requests through Django's test client after one warm-up",
        "",
        "| page | URL | median ms | p90 ms | queries |",
        "| --- | --- | ---: | ---: | ---: |",
        *(
            f"| {label} | `{url}` | {median:.1f} | {p90:.1f} | {count} |"
            for label, url, median, p90, count in rows
        ),
        "",
    ]
    # The other scripts' sections are kept as they are (scripts/benchmark_sections.py).
    kept = sections_kept()
    PATH.write_text("\n".join(lines) + (f"\n{kept}" if kept else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
