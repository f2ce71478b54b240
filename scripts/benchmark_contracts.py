"""Measure what a contract costs to make and sign, and write the figures into
docs/benchmarks.md (its "Contracts" section; `make benchmark` keeps it).

    make benchmark-contracts

For each of CONTRACTS contracts of about five pages: drawing the PDF (WeasyPrint, PDF/A-3b,
Chinese font embedded), the agency's and then the owner's PAdES B-LT signature (pyHanko:
RSA-2048, a timestamp from the local TSA over HTTP on 127.0.0.1, the CRL and certificates
embedded), and checking both signatures as /verify/contract/ does. A fresh CA and database in
a temporary folder; nothing is kept.
"""

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="zjcs-contract-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["PKI_DIR"] = str(WORK / "pki")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402

django.setup()

from benchmark_sections import section_write  # noqa: E402 -- beside this script
from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role  # noqa: E402
from accounts.services import organisation_create  # noqa: E402
from contracts.pdf import SIGNATURE_BOXES, ContractPrint, contract_pdf  # noqa: E402
from contracts.pki import init_pki, organisation_certificate  # noqa: E402
from contracts.signing import pdf_sign, pdf_signatures  # noqa: E402
from contracts.tsa import local_authority  # noqa: E402
from contracts.tsa_server import tsa_server  # noqa: E402

CONTRACTS = int(os.environ.get("BENCH_CONTRACTS", 20))
MARKER = "<!-- contracts -->"
CLAUSE = (
    "第{n}条　乙方应按照国家和地方现行技术规范开展工作，对所提交成果的真实性、准确性负责；"
    "甲方应及时提供项目基础资料，并对乙方在服务过程中知悉的商业秘密予以保护。"
)


def document(number: int) -> ContractPrint:
    return ContractPrint(
        number=f"ZJHT-2026-{number:04d}",
        version=1,
        title="环境影响评价文件编制 技术服务合同",
        owner_name="眉山市彭山区示例建设有限公司",
        agency_name="四川示例工程咨询有限公司",
        project_name="彭山区示例道路工程",
        service_name="环境影响评价文件编制",
        fee=Decimal("86000.00"),
        time_limit_days=15,
        text="\n\n".join(CLAUSE.format(n=n) for n in range(1, 61)),
        verify_url=f"https://zjcs.example.test/verify/contract/?number=ZJHT-2026-{number:04d}",
        made_at=datetime(2026, 12, 4, 6, 30, tzinfo=UTC),
    )


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, (time.perf_counter() - started) * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    init_pki()
    server = tsa_server(local_authority(), port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    owner = organisation_create(name="眉山市彭山区示例建设有限公司", kind=Role.PROJECT_OWNER)
    agency = organisation_create(name="四川示例工程咨询有限公司", kind=Role.AGENCY)
    certificates = {
        "owner": organisation_certificate(owner),
        "agency": organisation_certificate(agency),
    }
    timings: dict[str, list[float]] = {"render": [], "agency": [], "owner": [], "check": []}
    pages = size = 0
    with override_settings(TSA_URL=f"http://127.0.0.1:{server.server_address[1]}"):
        contract_pdf(document(0))  # fonts and WeasyPrint loaded once, as in a running worker
        for number in range(1, CONTRACTS + 1):
            pdf, ms = timed(lambda n=number: contract_pdf(document(n)))
            timings["render"].append(ms)
            pages = int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])
            for party, name in (("agency", agency.name), ("owner", owner.name)):
                pdf, ms = timed(
                    lambda p=party, data=pdf, seal=name: pdf_sign(
                        data,
                        certificate=certificates[p],
                        field_name=f"{p}-v1",
                        box=SIGNATURE_BOXES[p],
                        seal_name=seal,
                        reason="benchmark",
                    )
                )
                timings[party].append(ms)
            reports, ms = timed(lambda data=pdf: pdf_signatures(data))
            if not all(r.intact and r.trusted and r.timestamped for r in reports):
                raise SystemExit("a benchmark signature did not check")
            timings["check"].append(ms)
            size = len(pdf)
    server.shutdown()
    write(timings, pages=pages, size=size)


def write(timings: dict[str, list[float]], *, pages: int, size: int) -> None:
    labels = {
        "render": "draw the PDF (WeasyPrint, PDF/A-3b)",
        "agency": "first signature (agency; TSA + CRL embedded)",
        "owner": "second signature (owner)",
        "check": "check both signatures (as /verify/contract/)",
    }
    rows = []
    for key, label in labels.items():
        values = sorted(timings[key])
        p90 = values[int(len(values) * 0.9)]
        rows.append(f"| {label} | {statistics.median(values):.0f} | {p90:.0f} |")
    section = "\n".join(
        [
            MARKER,
            "## Contracts",
            "",
            "Written by `make benchmark-contracts` (scripts/benchmark_contracts.py); do not edit "
            "by hand.",
            "",
            f"- Run: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Shanghai)",
            f"- Machine: {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}",
            f"- {CONTRACTS} contracts of {pages} pages each ({size // 1024} KiB signed); "
            "timestamps from the local TSA over HTTP",
            "",
            "| step | median ms | p90 ms |",
            "| --- | ---: | ---: |",
            *rows,
            "",
        ]
    )
    section_write(MARKER, section)


if __name__ == "__main__":
    main()
