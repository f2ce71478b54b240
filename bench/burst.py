"""The quoting burst: 200 people browse the site while 500 agencies quote in the last ten
seconds before one request's deadline, against gunicorn and PostgreSQL on this machine.

    make burst        (needs the servers of `make services-up`: DATABASE_URL, REDIS_URL)

It works in a database of its own (zjcs_burst) and Redis databases 4 and 5, made afresh each
run: the demo data, then BURST_AGENCIES more agencies qualified for one service item, each
with an administrator. One of the demo's draft requests for that item is given a deadline
BURST_LEAD_SECONDS away and published through the site's own services (the demo settings
allow a quoting period of a minute), and gunicorn serves the site on 127.0.0.1.

Locust (bench/locustfile.py) then runs BURST_BROWSERS browsers and one user per agency: each
administrator signs in and opens the form early, and sends the quote at its planned moment —
spread evenly over the last ten seconds before the deadline, and for BURST_LATE of them just
after it. The run is bounded: Locust stops 15 seconds after the deadline.

Then every sending is checked against the database. Lost: the site answered an error, or
said a quote was sealed that is not there. Late: a quote accepted at or after the deadline by
the server clock, or sent after it and accepted. The goals are 0 lost, 0 late and a 99th
percentile of the quote submission within 0.5 s; the figures, the goals met or not and the
machine go into docs/benchmarks.md (the `<!-- burst -->` section). Exits 1 when a quote was
lost or accepted late."""

import csv
import dataclasses
import datetime
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.site_stores import stores_recreate

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
RUN_DIR = ROOT / "var" / "burst"
PORT = int(os.environ.get("BURST_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
BROWSERS = int(os.environ.get("BURST_BROWSERS", "200"))
AGENCIES = int(os.environ.get("BURST_AGENCIES", "500"))
LATE = int(os.environ.get("BURST_LATE", "20"))
LEAD_SECONDS = int(os.environ.get("BURST_LEAD_SECONDS", "150"))
SPAWN_RATE = int(os.environ.get("BURST_SPAWN_RATE", "10"))
WINDOW_SECONDS = 10
# How long a browser reads a page before the next: a notice or a roster page is read, not
# skimmed; 200 browsers at 5–15 s make 20 pages a second.
THINK_SECONDS = (5, 15)
# More than gunicorn's usual 2 × cores + 1: a worker whose quote waits for the request's row
# lock is idle, and the browsers should not queue behind it.
WEB_WORKERS = int(os.environ.get("BURST_WEB_WORKERS", str(4 * (os.cpu_count() or 1))))
P99_GOAL_SECONDS = 0.5
PASSWORD = secrets.token_urlsafe(12)
SERVICE_ITEM = "PS-ZJ-005"
NAME = "压力测试中介机构{:04d}"


def environment() -> dict[str, str]:
    database = urlsplit(os.environ["DATABASE_URL"])
    redis = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": urlunsplit(database._replace(path="/zjcs_burst")),
        "CELERY_BROKER_URL": f"{redis}/4",
        "CACHE_URL": f"{redis}/5",
        "SEARCH_INDEX": "zjcsburst",
        "SITE_URL": BASE,
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *args: str) -> None:
    with open(RUN_DIR / "setup.log", "ab") as log:
        subprocess.run(  # noqa: S603  (our own manage.py)
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def agencies_create(count: int):
    """`count` agencies on the roster, each holding verified certificates like those of a demo
    agency in scope for the item, with one administrator; written in bulk (registering and
    verifying 500 agencies one by one would take the bench longer than the burst), their scope
    then computed by the site's own service."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organisation, Role, User
    from accounts.services import membership_permissions_grant
    from accounts.validators import credit_code_derive
    from agencies.models import Agency, AgencyServiceScope, Qualification
    from agencies.services.scope import agency_scope_recompute

    model = (
        AgencyServiceScope.objects.filter(
            service_item__code=SERVICE_ITEM, in_scope=True, agency__status=Agency.Status.ACTIVE
        )
        .select_related("agency")
        .first()
        .agency
    )
    held = list(model.qualifications.filter(status=Qualification.Status.VERIFIED))
    password = make_password(PASSWORD)
    names = [NAME.format(number) for number in range(count)]
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=name,
                kind=Role.AGENCY,
                credit_code=credit_code_derive("91510100", name),
                region="眉山市彭山区",
            )
            for name in names
        )
        agencies = Agency.objects.bulk_create(
            Agency(
                organisation=organisation,
                legal_representative="压力测试",
                status=Agency.Status.ACTIVE,
                activated_at=timezone.now(),
            )
            for organisation in organisations
        )
        Qualification.objects.bulk_create(
            Qualification(
                agency=agency,
                qualification_type=certificate.qualification_type,
                grade=certificate.grade,
                number=f"BURST-{number:04d}-{position}",
                issuer=certificate.issuer,
                valid_from=certificate.valid_from,
                valid_to=certificate.valid_to,
                scan=certificate.scan.name,
                status=Qualification.Status.VERIFIED,
            )
            for number, agency in enumerate(agencies)
            for position, certificate in enumerate(held)
        )
        users = User.objects.bulk_create(
            User(
                username=f"burst{number:04d}",
                email=f"burst{number:04d}@burst.zjcs.localhost",
                display_name=f"压力测试管理员{number:04d}",
                organisation=organisation,
                is_organisation_admin=True,
                password=password,
            )
            for number, organisation in enumerate(organisations)
        )
        for user in users:
            membership_permissions_grant(user=user)
    for agency in agencies:
        agency_scope_recompute(agency=agency)


def request_publish(deadline: datetime.datetime):
    """The demo's draft for the item, given the burst's deadline and published."""
    from accounts.selectors import organisation_admins
    from market.models import PurchaseRequest
    from market.services.requests import (
        purchase_request_publish,
        purchase_request_update,
        terms_of,
    )

    draft = PurchaseRequest.objects.select_related("project").get(
        status=PurchaseRequest.Status.DRAFT, service_item__code=SERVICE_ITEM
    )
    owner = organisation_admins([draft.project.owner_id]).first()
    terms = dataclasses.replace(terms_of(draft), quote_deadline=deadline, quote_opens_at=None)
    purchase_request_update(actor=owner, purchase_request=draft, terms=terms)
    return purchase_request_publish(actor=owner, purchase_request=draft)


def quote_fields(purchase_request) -> dict[str, str]:
    """A quote every agency may send: within the fee rules and the reference range."""
    from catalogue.models import FeeMode

    item = purchase_request.service_item
    days = {"committed_time_limit_days": str(max(1, item.statutory_time_limit_days - 5))}
    if item.fee_mode == FeeMode.GOVERNMENT_SET and item.fee_amount is not None:
        return {**days, "discount_rate": "90"}
    low, high = item.reference_price_low, item.reference_price_high
    amount = (low + high) / 2 if low and high else purchase_request.budget * 8 / 10
    return {**days, "amount": str(min(amount, purchase_request.budget).quantize(1))}


def deadline_refusal() -> str:
    """The words the quote form shows when the deadline has passed, as the site says them."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        text = gettext(
            "Quotes are accepted only while quoting is open; the deadline was %(deadline)s."
        )
    return text.split("%(deadline)s")[0]


def plan(purchase_request, deadline: float) -> dict:
    """Who sends when: on time, evenly over the last WINDOW_SECONDS (the last one half a second
    before the deadline); late, evenly over the two seconds after it."""
    on_time = [
        deadline - WINDOW_SECONDS + (WINDOW_SECONDS - 0.5) * number / max(AGENCIES - 1, 1)
        for number in range(AGENCIES)
    ]
    late = [deadline + 0.2 + 2 * number / max(LATE - 1, 1) for number in range(LATE)]
    return {
        "browsers": BROWSERS,
        "think_seconds": THINK_SECONDS,
        "number": purchase_request.number,
        "password": PASSWORD,
        "quote_path": f"/my/quotes/{purchase_request.number}/",
        "quote": quote_fields(purchase_request),
        "deadline": deadline,
        "deadline_refusal": deadline_refusal(),
        "agencies": [
            {"username": f"burst{number:04d}", "send_at": send_at}
            for number, send_at in enumerate(on_time + late)
        ],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def checked(purchase_request, sendings: list[dict], deadline: float) -> dict:
    """Every sending against the database."""
    from market.models import Quote, QuoteReceipt

    quotes = {
        quote.agency.organisation.name: quote
        for quote in Quote.objects.filter(purchase_request=purchase_request).select_related(
            "agency__organisation"
        )
    }
    by_agency = {f"burst{number:04d}": NAME.format(number) for number in range(AGENCIES + LATE)}
    stored = {
        sending["username"]: quotes.get(by_agency[sending["username"]]) for sending in sendings
    }
    on_time = [sending for sending in sendings if sending["send_at"] < deadline]
    late = [sending for sending in sendings if sending["send_at"] >= deadline]
    lost = [
        sending
        for sending in sendings
        if sending["outcome"] in ("error", "not_ready")
        or (sending["outcome"] == "accepted") != (stored[sending["username"]] is not None)
    ]
    deadline_at = datetime.datetime.fromtimestamp(deadline, tz=datetime.UTC)
    accepted_late = [quote for quote in quotes.values() if quote.submitted_at >= deadline_at] + [
        sending for sending in late if sending["outcome"] == "accepted"
    ]
    submission = [sending["elapsed"] for sending in on_time if sending["outcome"] != "not_ready"]
    answered = [sending for sending in on_time if sending["outcome"] != "not_ready"]
    span = max((s["sent"] + s["elapsed"] for s in answered), default=0.0) - min(
        (s["sent"] for s in answered), default=0.0
    )
    return {
        "sent_on_time": len(on_time),
        "accepted": sum(sending["outcome"] == "accepted" for sending in on_time),
        "refused_arrived_after_deadline": sum(
            sending["outcome"] == "refused_deadline" for sending in on_time
        ),
        "sent_late": len(late),
        "late_refused": sum(sending["outcome"] == "refused_deadline" for sending in late),
        "quotes_stored": len(quotes),
        "receipts_stored": QuoteReceipt.objects.filter(
            quote__purchase_request=purchase_request
        ).count(),
        "lost": len(lost),
        "accepted_late": len(accepted_late),
        "submission_p50": statistics.median(submission) if submission else 0.0,
        "submission_p95": percentile(submission, 0.95),
        "submission_p99": percentile(submission, 0.99),
        "submission_max": max(submission, default=0.0),
        # How fast the site answered them: from the first sending to the last answer.
        "answered_per_second": len(answered) / span if span else 0.0,
    }


def window_rows() -> list[tuple[str, int, int, float, float, float, float]]:
    """Per request name, over the burst: count, failures, median, p95, p99 and max (ms)."""
    by_name: dict[str, list[dict]] = {}
    for line in (RUN_DIR / "window.jsonl").read_text(encoding="utf-8").splitlines():
        request = json.loads(line)
        by_name.setdefault(request["name"], []).append(request)
    rows = []
    for name, made in sorted(by_name.items()):
        times = [request["ms"] for request in made]
        rows.append(
            (
                name,
                len(made),
                sum(request["failed"] for request in made),
                statistics.median(times),
                percentile(times, 0.95),
                percentile(times, 0.99),
                max(times),
            )
        )
    return rows


def sign_in_row() -> dict[str, str]:
    with open(RUN_DIR / "locust_stats.csv", encoding="utf-8") as stats:
        return next(row for row in csv.DictReader(stats) if row["Name"] == "sign in")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 1024 / 1024:.0f} GB RAM, "
        f"{platform.system()} {platform.release()}"
    )


def reading(result: dict) -> list[str]:
    """What the figures mean when the site answers more slowly than the agencies send."""
    rate, sent_rate = result["answered_per_second"], AGENCIES / WINDOW_SECONDS
    if not rate or rate >= sent_rate:
        return []
    return [
        f"The agencies sent {sent_rate:.0f} quotes a second and this machine answered "
        f"{rate:.0f} a second while serving the browsers, so {AGENCIES} quotes took about "
        f"{AGENCIES / rate:.0f} s to answer. A quote still waiting for its turn when the "
        "deadline passed was refused by the server clock, as the rule says; none was lost "
        "and none accepted late, but its sender had sent it in time (the quote form warns "
        "that a quote counts when it is recorded, not when it is sent). Answering the burst "
        f"within the goal needs at least {sent_rate / rate:.1f} times this machine's "
        "throughput (more cores or more web servers; the request's row lock is held for "
        "about 8 ms of each quote, measured in-process, so it allows about 125 a second).",
        "",
    ]


def report(result: dict, database: str) -> str:
    from benchmark_sections import section_write  # scripts/, on sys.path

    met = (
        result["lost"] == 0
        and result["accepted_late"] == 0
        and result["submission_p99"] <= P99_GOAL_SECONDS
    )
    seconds = lambda value: f"{value * 1000:.0f} ms"  # noqa: E731
    signed = sign_in_row()
    lines = [
        "<!-- burst -->",
        "## Quoting burst (bench/burst.py)",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC with `make burst` on "
        f"{machine()}; {database}, gunicorn with {WEB_WORKERS} workers, Redis as cache, "
        "Locust on the same machine over loopback.",
        "",
        f"{BROWSERS} people browse the public pages (a new page every "
        f"{THINK_SECONDS[0]}–{THINK_SECONDS[1]} s) while {AGENCIES} "
        f"agencies, signed in beforehand, send their quotes evenly over the last "
        f"{WINDOW_SECONDS} seconds before the deadline and {LATE} more send theirs in the two "
        "seconds after it.",
        "",
        "| | result | goal |",
        "| --- | ---: | ---: |",
        f"| quotes sent before the deadline | {result['sent_on_time']} | |",
        f"| accepted and sealed | {result['accepted']} | |",
        "| refused because they reached the server after the deadline | "
        f"{result['refused_arrived_after_deadline']} | |",
        f"| quotes sent after the deadline, refused | {result['late_refused']} of "
        f"{result['sent_late']} | all |",
        f"| quotes in the database / receipts | {result['quotes_stored']} / "
        f"{result['receipts_stored']} | |",
        f"| **lost** (an error, or an answer the database contradicts) | {result['lost']} | 0 |",
        f"| **accepted at or after the deadline** | {result['accepted_late']} | 0 |",
        f"| quote submission, median / p95 | {seconds(result['submission_p50'])} / "
        f"{seconds(result['submission_p95'])} | |",
        f"| **quote submission, p99** / max | {seconds(result['submission_p99'])} / "
        f"{seconds(result['submission_max'])} | ≤ 500 ms |",
        f"| quotes answered per second, browsing going on | "
        f"{result['answered_per_second']:.0f} | {AGENCIES / WINDOW_SECONDS:.0f} sent per second |",
        "",
        "Every request made during the burst — from 10 s before the deadline to 3 s after it — "
        "by the browsers and the agencies (times in ms):",
        "",
        "| request | count | failures | median | p95 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | {count} | {failed} | {median:.0f} | {p95:.0f} | {p99:.0f} | {top:.0f} |"
            for name, count, failed, median, p95, p99, top in window_rows()
        ),
        "",
        f"Before the burst, while the browsing began, the {AGENCIES + LATE} administrators signed "
        f"in (each sign-in checks an Argon2 password hash): median {signed['50%']} ms, p95 "
        f"{signed['95%']} ms.",
        "",
        "Goals met." if met else "**Goals not met** — see the rows in bold.",
        "",
        *reading(result),
    ]
    section = "\n".join(lines)
    section_write("<!-- burst -->", section)
    return section


def wait_until_ready(timeout: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if requests.get(BASE + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {BASE} within {timeout:.0f} s")


def main() -> int:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    for stale in RUN_DIR.iterdir():
        stale.unlink()
    env = environment()
    print(f"[1] A fresh database with the demo data and {AGENCIES + LATE} agencies", flush=True)
    stores_recreate(env)
    manage(env, "prepare_demo", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "scripts"))
    import django

    django.setup()
    from django.db import connection

    agencies_create(AGENCIES + LATE)

    print(f"[2] gunicorn ({WEB_WORKERS} workers) on {BASE}", flush=True)
    with open(RUN_DIR / "web.log", "ab") as web_log:
        web = subprocess.Popen(  # noqa: S603  (our own gunicorn)
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(WEB_WORKERS),
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_ready(60)
        deadline = time.time() + LEAD_SECONDS
        purchase_request = request_publish(
            datetime.datetime.fromtimestamp(deadline, tz=datetime.UTC)
        )
        deadline = purchase_request.quote_deadline.timestamp()
        (RUN_DIR / "plan.json").write_text(
            json.dumps(plan(purchase_request, deadline), ensure_ascii=False), encoding="utf-8"
        )
        run_time = int(deadline - time.time()) + 15
        users = BROWSERS + AGENCIES + LATE
        print(
            f"[3] Locust: {users} users; the deadline of {purchase_request.number} is in "
            f"{deadline - time.time():.0f} s; the run ends {run_time} s from now",
            flush=True,
        )
        subprocess.run(  # noqa: S603  (our own locust)
            [
                str(VENV_BIN / "locust"),
                "--locustfile",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                BASE,
                "--users",
                str(users),
                "--spawn-rate",
                str(SPAWN_RATE),
                "--run-time",
                f"{run_time}s",
                "--stop-timeout",
                "5",
                "--csv",
                str(RUN_DIR / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **env,
                "BURST_PLAN": str(RUN_DIR / "plan.json"),
                "BURST_RESULTS": str(RUN_DIR / "sendings.jsonl"),
                "BURST_WINDOW": str(RUN_DIR / "window.jsonl"),
            },
            check=False,
            timeout=run_time + 60,
        )
    finally:
        web.terminate()
        web.wait(timeout=30)
    sendings = [
        json.loads(line)
        for line in (RUN_DIR / "sendings.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    result = checked(purchase_request, sendings, deadline)
    major, minor = divmod(connection.pg_version, 10_000)
    report(result, f"PostgreSQL {major}.{minor}")
    return 1 if result["lost"] or result["accepted_late"] else 0


if __name__ == "__main__":
    sys.exit(main())
