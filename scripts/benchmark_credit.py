"""Time a full credit recompute and write the figures into docs/benchmarks.md (its "Credit"
section; `make benchmark` and `make benchmark-contracts` keep it).

    make benchmark-credit

Creates BENCH_AGENCIES agencies (10 000) and BENCH_RATINGS counted owner ratings (100 000,
each on a finished contract of its own, so about a tenth finish late), some inspections and
violations, in a throwaway SQLite database in a temporary folder — or in DATABASE_URL if set
(use an empty database: the data are added to it). Then times credit_recompute over every
agency twice: the first run writes a record for each agency, the second finds nothing
changed and writes nothing. The goal (docs/credit.md) is under 10 s on 2 cores.
"""

import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if "DATABASE_URL" not in os.environ:
    WORK = Path(tempfile.mkdtemp(prefix="zjcs-credit-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402

from benchmark_sections import section_write  # noqa: E402 -- beside this script
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation, Role, User  # noqa: E402
from agencies.models import Agency  # noqa: E402
from contracts.models import Contract, ContractTemplate, ContractTemplateVersion  # noqa: E402
from credit.models import CreditRecord, Inspection, Rating, Violation  # noqa: E402
from credit.services.scoring import credit_recompute  # noqa: E402
from market.models import PurchaseRequest  # noqa: E402
from tests.catalogue.factories import ServiceItemFactory  # noqa: E402
from tests.market.factories import ProjectFactory  # noqa: E402

AGENCIES = int(os.environ.get("BENCH_AGENCIES", 10_000))
RATINGS = int(os.environ.get("BENCH_RATINGS", 100_000))
MARKER = "<!-- credit -->"
BATCH = 5000


def _bulk(model, rows) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def make_data() -> None:
    """The fewest rows the inputs need, made with bulk_create (which returns the new rows' ids
    on SQLite and PostgreSQL): one owner, project, item and model contract; a request and a
    contract per rating (a rating needs its contract)."""
    rng = random.Random(20261204)  # noqa: S311 — the same data every run, not a secret
    now = timezone.now()
    regulator = Organisation.objects.create(name="基准测试监管部门", kind=Role.REGULATOR)
    owner = Organisation.objects.create(name="基准测试业主", kind=Role.PROJECT_OWNER)
    user = User.objects.create(username="bench", organisation=owner)
    item = ServiceItemFactory()
    project = ProjectFactory(owner=owner)
    version = ContractTemplateVersion.objects.create(
        template=ContractTemplate.objects.create(service_item=item),
        number=1,
        body="合同",
        status=ContractTemplateVersion.Status.APPROVED,
        written_by=user,
        decided_at=now,
    )
    organisations = _bulk(
        Organisation,
        [
            Organisation(name=f"基准测试中介{n:05d}", kind=Role.AGENCY, credit_code=f"B{n:017d}")
            for n in range(AGENCIES)
        ],
    )
    agencies = _bulk(
        Agency,
        [
            Agency(organisation=o, legal_representative="张三", status=Agency.Status.ACTIVE)
            for o in organisations
        ],
    )
    agency_ids = [agency.pk for agency in agencies]
    requests = _bulk(
        PurchaseRequest,
        [
            PurchaseRequest(
                number=f"BENCH-{n:06d}",
                project=project,
                service_item=item,
                budget=10000,
                status=PurchaseRequest.Status.CONTRACTED,
                winner_id=agency_ids[n % AGENCIES],
            )
            for n in range(RATINGS)
        ],
    )
    contracts = _bulk(
        Contract,
        [
            Contract(
                number=f"BENCH-HT-{n:06d}",
                purchase_request=request,
                template_version=version,
                owner=owner,
                agency_id=request.winner_id,
                fee=10000,
                time_limit_days=10,
                signing_order="agency_first",
                status=Contract.Status.ACCEPTED,
                in_force_at=now - datetime.timedelta(days=60),
                used_workdays=rng.choice((8, 9, 10, 10, 10, 9, 8, 7, 11, 12)),
                accepted_at=now - datetime.timedelta(days=rng.randint(1, 300)),
            )
            for n, request in enumerate(requests)
        ],
    )
    _bulk(
        Rating,
        [
            Rating(
                contract=contract,
                rater=Rating.Rater.OWNER,
                organisation=owner,
                agency_id=contract.agency_id,
                rated_by=user,
                rated_at=contract.accepted_at,
                status=Rating.Status.COUNTED,
                **{
                    aspect: rng.choice((3, 4, 4, 5, 5))
                    for aspect in ("quality", "timeliness", "attitude", "fees", "conduct")
                },
            )
            for contract in contracts
        ],
    )
    today = timezone.localdate(now)
    _bulk(
        Inspection,
        [
            Inspection(
                agency_id=agency_id,
                inspected_on=today - datetime.timedelta(days=rng.randint(0, 300)),
                authority=regulator,
                result=rng.choice(("passed", "passed", "corrected", "failed")),
                findings="抽查",
                recorded_by=user,
                recorded_at=now,
            )
            for agency_id in agency_ids[::5]
        ],
    )
    _bulk(
        Violation,
        [
            Violation(
                agency_id=agency_id,
                kind=Violation.Kind.LATE_DELIVERY,
                severity=rng.choice(("minor", "ordinary", "serious")),
                facts="逾期",
                evidence="系统记录",
                authority=regulator,
                legal_basis="管理办法",
                occurred_on=today - datetime.timedelta(days=rng.randint(0, 300)),
                decided_at=now,
                source=Violation.Source.SYSTEM,
            )
            for agency_id in agency_ids[::10]
        ],
    )


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    call_command("migrate", verbosity=0)
    _, make_seconds = timed(make_data)
    first, first_seconds = timed(lambda: credit_recompute())
    second, second_seconds = timed(lambda: credit_recompute())
    if CreditRecord.objects.count() != first.recorded or second.recorded:
        raise SystemExit("the second recompute wrote records although nothing changed")
    write(
        first=(first, first_seconds),
        second=(second, second_seconds),
        make_seconds=make_seconds,
    )


def write(*, first, second, make_seconds: float) -> None:
    (first_result, first_seconds), (second_result, second_seconds) = first, second
    section = "\n".join(
        [
            MARKER,
            "## Credit",
            "",
            "Written by `make benchmark-credit` (scripts/benchmark_credit.py); do not edit by "
            "hand.",
            "",
            f"- Run: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Shanghai)",
            f"- Machine: {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}",
            f"- Database: {connection.vendor}; {AGENCIES} agencies, {RATINGS} counted owner "
            f"ratings on as many finished contracts, {AGENCIES // 5} inspections, "
            f"{AGENCIES // 10} violations (made in {make_seconds:.1f} s)",
            "- Goal: a full recompute under 10 s",
            "",
            "| run | seconds | records written | agencies updated |",
            "| --- | ---: | ---: | ---: |",
            f"| first (every agency new) | {first_seconds:.2f} | {first_result.recorded} | "
            f"{first_result.updated} |",
            f"| second (nothing changed) | {second_seconds:.2f} | {second_result.recorded} | "
            f"{second_result.updated} |",
            "",
        ]
    )
    section_write(MARKER, section)


if __name__ == "__main__":
    main()
