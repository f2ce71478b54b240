"""The fault drill: a running site (gunicorn, a Celery worker and beat on PostgreSQL, Redis and
Elasticsearch, with the demo data) has each of its parts fail in turn, and the drill checks
what users see and what is lost.

    python -m tests.faults.drill      (`make fault-drill`; CI's fault stage)

It needs the servers of `.ci/services.sh up` (their URLs in DATABASE_URL, REDIS_URL and
ELASTICSEARCH_URL) and stops and starts them through that script. It works in a database, two
Redis databases and an index prefix of its own, made afresh each run.

1. Elasticsearch stopped: the public pages and searches answer (from the database index), and
   /readyz says degraded; an agency renamed meanwhile is in the index once Elasticsearch is back,
   and the index holds every row it should.
2. Redis stopped: an owner signs in and publishes a request; the page says it is published, and
   the invitations it causes wait in the outbox until Redis is back, then go out once each.
3. A worker killed (SIGKILL) while it sends mail: the task runs again and sends once.
4. PostgreSQL restarted: the next requests are served.

Finally: no outbox message is left waiting or undone, and no mail was sent twice. The drill
restarts a process that exits, as production's supervisor does, and reports how many times.
Exits 1 on the first check that fails, with the processes' logs in $DRILL_DIR (var/fault-drill)."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from scripts.site_stores import stores_recreate

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
DRILL_DIR = Path(os.environ.get("DRILL_DIR", ROOT / "var" / "fault-drill"))
PORT = int(os.environ.get("DRILL_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
PUBLIC_PAGES = [
    "/",
    "/catalogue/",
    "/catalogue/?q=评价",
    "/search/?q=环评",
    "/agencies/",
    "/notices/",
    "/notice-centre/",
]


class DrillFailed(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise DrillFailed(what)
    print(f"  ok  {what}", flush=True)


def wait_for(predicate, what: str, timeout: float) -> float:
    """Poll until `predicate()` holds; returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if predicate():
                took = time.monotonic() - started
                print(f"  ok  {what} (after {took:.1f} s)", flush=True)
                return took
        except Exception:  # noqa: S110  (a part still coming back; poll again)
            pass
        time.sleep(0.5)
    raise DrillFailed(f"{what}: not within {timeout:.0f} s")


def services(*args: str) -> None:
    subprocess.run(["bash", str(ROOT / ".ci" / "services.sh"), *args], check=True)


def drill_environment() -> dict[str, str]:
    database = urlsplit(os.environ["DATABASE_URL"])
    redis = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
        "DATABASE_URL": urlunsplit(database._replace(path="/zjcs_drill")),
        "CELERY_BROKER_URL": f"{redis}/2",
        "CACHE_URL": f"{redis}/3",
        "SEARCH_INDEX": "zjcsdrill",
        "SITE_URL": BASE,
        "DRILL_DIR": str(DRILL_DIR),
        # Short enough for a drill; production keeps the defaults (base.py).
        "OUTBOX_RELAY_SECONDS": "2",
        "OUTBOX_REDELIVER_SECONDS": "30",
        "BROKER_VISIBILITY_TIMEOUT": "30",
        "LOG_LEVEL": "INFO",
    }


class Processes:
    """The site's processes, each in its own process group, logging to DRILL_DIR, and kept
    running the way production's supervisor keeps them (docs/deployment.md): one that exits is
    started again, and counted. A Celery worker can exit when the broker goes away under it (a
    race in kombu's Redis transport, celery/kombu#582); nothing is lost when it does, because
    its unfinished work is still in the outbox and on the broker."""

    def __init__(self, environment: dict[str, str]):
        self.environment = environment
        self.commands: dict[str, tuple[str, ...]] = {}
        self.running: dict[str, subprocess.Popen] = {}
        self.restarts: collections.Counter = collections.Counter()
        self.stopping = threading.Event()
        self.supervisor = threading.Thread(target=self.supervise, daemon=True)

    def start(self, name: str, *command: str) -> None:
        self.commands[name] = command
        log = open(DRILL_DIR / f"{name}.log", "ab")  # noqa: SIM115  (closed with the process)
        self.running[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def supervise(self) -> None:
        while not self.stopping.wait(1):
            for name, process in list(self.running.items()):
                if process.poll() is not None and not self.stopping.is_set():
                    print(f"  --  {name} exited ({process.returncode}); started again", flush=True)
                    self.restarts[name] += 1
                    self.start(name, *self.commands[name])

    def start_site(self) -> None:
        self.start(
            "web",
            str(VENV_BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--timeout",
            "60",
        )
        self.start(
            "worker",
            str(VENV_BIN / "celery"),
            "--app",
            "config",
            "worker",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        )
        self.start("beat", str(VENV_BIN / "celery"), "--app", "config", "beat", "-l", "INFO")
        self.supervisor.start()

    def stop_all(self) -> None:
        self.stopping.set()
        if self.supervisor.is_alive():
            self.supervisor.join()
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def get(session: requests.Session, path: str) -> requests.Response:
    return session.get(BASE + path, timeout=30, allow_redirects=False)


def pages_served(session: requests.Session) -> dict[str, int]:
    return {path: get(session, path).status_code for path in PUBLIC_PAGES}


def readyz() -> dict:
    response = requests.get(BASE + "/readyz", timeout=30)
    return {"http": response.status_code, **response.json()}


def sign_in(session: requests.Session, username: str, password: str) -> requests.Response:
    get(session, "/accounts/login/")
    return session.post(
        BASE + "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=30,
        allow_redirects=False,
    )


def mails() -> list[dict]:
    journal = DRILL_DIR / "mail.jsonl"
    if not journal.exists():
        return []
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]


def mails_about(number: str) -> collections.Counter:
    return collections.Counter(
        (tuple(mail["to"]), mail["subject"]) for mail in mails() if number in mail["subject"]
    )


def outbox_settled() -> bool:
    from core.models import OutboxMessage

    return not OutboxMessage.objects.filter(done_at__isnull=True).exists()


def index_complete() -> dict[str, tuple[int, int]]:
    """For each model kept in the index by the outbox, (rows that belong, documents in
    Elasticsearch)."""
    from modelsearch.index import get_indexed_models
    from wagtail.search.backends import get_search_backend

    from core.search.queue import QueuedIndexed

    backend = get_search_backend()
    counts = {}
    for model in get_indexed_models():
        if not issubclass(model, QueuedIndexed):
            continue
        index = backend.get_index_for_model(model)
        index.refresh()
        counts[model._meta.label] = (
            model.get_indexed_objects().count(),
            backend.es.count(index=index.name)["count"],
        )
    return counts


def fault_search(report: dict) -> None:
    print("\n[1] Elasticsearch stopped", flush=True)
    from django.db import transaction
    from wagtail.search.backends import get_search_backend

    from agencies.models import Agency
    from core.search import query_tokens

    services("stop", "elasticsearch")
    session = requests.Session()
    served = pages_served(session)
    check(all(code == 200 for code in served.values()), f"every public page served: {served}")
    search = get(session, "/search/?q=环评")
    check("data-search-degraded" in search.text, "the search page says it is reduced")
    check("环境影响评价" in search.text, "and still finds 环境影响评价 for 环评")
    ready = readyz()
    check(
        ready["http"] == 200 and ready["checks"]["search"].get("degraded"),
        f"/readyz answers {ready['http']}, search degraded",
    )
    organisation = Agency.objects.select_related("organisation").order_by("pk")[0].organisation
    renamed = "演练更名检测事务所"
    with transaction.atomic():
        organisation.name = renamed
        organisation.save(update_fields=["name"])
    time.sleep(5)  # the index update meets Elasticsearch down and backs off
    services("start", "elasticsearch")
    backend = get_search_backend()

    def found() -> bool:
        backend.get_index_for_model(Agency).refresh()
        return backend.search(query_tokens(renamed), Agency, operator="and").count() == 1

    took = wait_for(
        found, "the agency renamed while Elasticsearch was down is found by its new name", 300
    )
    counts = index_complete()
    check(
        all(rows == documents for rows, documents in counts.values()),
        f"the index holds every row that belongs in it: {counts}",
    )
    report["search"] = {"pages": served, "caught_up_seconds": round(took, 1), "index": counts}


def fault_broker(report: dict) -> None:
    print("\n[2] Redis stopped (broker and cache)", flush=True)
    from accounts.selectors import organisation_admins
    from cms import demo_data
    from core.models import OutboxMessage
    from market.models import Invitation, PurchaseRequest

    draft = PurchaseRequest.objects.select_related("project").get(
        status=PurchaseRequest.Status.DRAFT, service_item__code="PS-ZJ-005"
    )
    owner = organisation_admins([draft.project.owner_id]).first()
    services("stop", "redis")
    session = requests.Session()
    served = pages_served(session)
    check(all(code == 200 for code in served.values()), f"every public page served: {served}")
    signed_in = sign_in(session, owner.username, demo_data.DEMO_PASSWORD)
    check(signed_in.status_code == 302, f"the owner signs in ({signed_in.status_code})")
    form = get(session, f"/my/requests/{draft.number}/publish/")
    check(form.status_code == 200, "the publish page is served")
    published = session.post(
        f"{BASE}/my/requests/{draft.number}/publish/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=30,
        allow_redirects=True,
    )
    check(published.status_code == 200, f"publishing answers {published.status_code}, no error")
    check(f"{draft.number} 已发布" in published.text, "and the page says it is published")
    report["published"] = draft.number
    draft.refresh_from_db()
    check(draft.status == PurchaseRequest.Status.QUOTING, "the request is quoting")
    waiting = OutboxMessage.objects.filter(relayed_at__isnull=True).count()
    check(waiting >= 1, f"{waiting} outbox message(s) wait for the broker")
    ready = readyz()
    check(
        ready["http"] == 200 and ready["outbox"]["waiting"] >= 1,
        f"/readyz answers {ready['http']} and counts {ready['outbox']['waiting']} waiting",
    )
    services("start", "redis")
    took = wait_for(outbox_settled, "every outbox message relayed and done", timeout=180)
    invited = Invitation.objects.filter(purchase_request=draft).values_list(
        "agency__organisation_id", flat=True
    )
    expected = sorted(admin.email for admin in organisation_admins(invited))
    sent = mails_about(draft.number)
    check(
        sorted(to[0] for to, _subject in sent) == expected and set(sent.values()) == {1},
        f"{len(expected)} invitations, one to each invited agency's administrator",
    )
    report["broker"] = {
        "pages": served,
        "waiting": waiting,
        "relayed_after_seconds": round(took, 1),
        "invitations": len(expected),
        "lost": len(set(expected) - {to[0] for to, _ in sent}),
        "duplicated": sum(count - 1 for count in sent.values()),
    }


def fault_worker(report: dict, processes: Processes) -> None:
    print("\n[3] A worker killed while it sends mail", flush=True)
    from django.db import transaction

    from core.models import OutboxMessage
    from core.outbox import enqueue
    from market import tasks
    from market.models import PurchaseRequest

    purchase_request = PurchaseRequest.objects.get(number=report["published"])
    before = mails_about(purchase_request.number)
    (DRILL_DIR / "sending").unlink(missing_ok=True)
    (DRILL_DIR / "slow").touch()
    with transaction.atomic():
        message = enqueue(tasks.invitations_send, purchase_request.pk)
    wait_for(lambda: (DRILL_DIR / "sending").exists(), "a worker process starts sending", 60)
    victim = int((DRILL_DIR / "sending").read_text())
    os.kill(victim, signal.SIGKILL)
    print(f"  --  killed worker process {victim} (SIGKILL)", flush=True)
    (DRILL_DIR / "slow").unlink()
    took = wait_for(
        lambda: OutboxMessage.objects.filter(pk=message.pk, done_at__isnull=False).exists(),
        "the task ran again in another process and finished",
        timeout=120,
    )
    after = mails_about(purchase_request.number)
    second_round = after - before
    check(
        sorted(second_round) == sorted(before) and set(second_round.values()) == {1},
        f"the second round went once to each of the {len(before)} administrators",
    )
    report["worker"] = {
        "killed_pid": victim,
        "redone_after_seconds": round(took, 1),
        "mails": sum(second_round.values()),
        "expected": len(before),
    }


def fault_database(report: dict) -> None:
    print("\n[4] PostgreSQL restarted", flush=True)
    from django.db import connections

    session = requests.Session()
    check(all(code == 200 for code in pages_served(session).values()), "pages served before")
    services("restart", "postgres")
    connections.close_all()
    served = [pages_served(session) for _ in range(3)]
    failures = sum(code != 200 for round_ in served for code in round_.values())
    check(failures == 0, f"every request after the restart served ({3 * len(PUBLIC_PAGES)})")
    ready = readyz()
    check(ready["http"] == 200 and ready["checks"]["database"]["ok"], "/readyz: database ok")
    report["database"] = {"requests_after_restart": 3 * len(PUBLIC_PAGES), "failed": failures}


def main() -> int:
    DRILL_DIR.mkdir(parents=True, exist_ok=True)
    for stale in DRILL_DIR.iterdir():
        stale.unlink()
    environment = drill_environment()
    print("[0] A fresh site with the demo data", flush=True)
    stores_recreate(environment)
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "prepare_demo", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=open(DRILL_DIR / "prepare_demo.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    # The drill's own log stays quiet; the site's processes log at INFO into DRILL_DIR.
    os.environ.update({**environment, "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    processes = Processes(environment)
    report: dict = {}
    try:
        processes.start_site()
        wait_for(lambda: readyz()["status"] == "ok", "the site is up and ready", timeout=120)
        served = pages_served(requests.Session())
        check(all(code == 200 for code in served.values()), f"every public page served: {served}")
        fault_search(report)
        fault_broker(report)
        fault_worker(report, processes)
        fault_database(report)

        print("\n[5] After recovery", flush=True)
        wait_for(outbox_settled, "no outbox message waiting or undone", timeout=120)
        journal = collections.Counter((tuple(mail["to"]), mail["subject"]) for mail in mails())
        repeated = {key: count for key, count in journal.items() if count > 1}
        # The worker drill sends the invitations of one request a second time on purpose.
        on_purpose = {key for key in repeated if report["published"] in key[1]}
        check(
            set(repeated) == on_purpose and set(repeated.values()) <= {2},
            f"{sum(journal.values())} mails, none sent twice by accident",
        )
        report["restarted_by_supervisor"] = dict(processes.restarts)
    except DrillFailed as failure:
        print(f"\nFAULT DRILL FAILED: {failure}\n(logs in {DRILL_DIR})", flush=True)
        return 1
    finally:
        processes.stop_all()
        services("up")  # whatever the drill left stopped
    print("\nFAULT DRILL PASSED")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
