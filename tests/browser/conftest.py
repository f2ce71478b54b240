"""The browser suite: Debian's Chromium (/usr/bin/chromium) driven by Playwright's sync API
against a live server on 127.0.0.1, on a database seeded once with the demo data. It runs
as `make test-browser`, never inside `make test`."""

import os
import re
import sqlite3
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connection
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between browser steps are synchronous all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# Without the networking switches Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAILURES = Path(settings.BASE_DIR) / "var" / "browser-failures"
expect.set_options(timeout=15_000)
BLOCKING_IMPACTS = {"serious", "critical"}
# Latin words a Chinese page may show: file formats, units and identifiers read as letters.
ALLOWED_LATIN = {"PDF", "JPEG", "PNG", "CSV", "JSON", "ID", "MB", "ZIP"}

VISIBLE_TEXT_JS = """() => {
  const skip = 'script,style,noscript,template,code,kbd,samp,pre,svg,[translate="no"]';
  const foreign = el => { const l = el.closest('[lang]'); return l && !/^zh/i.test(l.lang); };
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest(skip) || foreign(el) || !el.checkVisibility()) continue;
    out.push(walker.currentNode.data);
  }
  for (const el of document.body.querySelectorAll('[placeholder],[aria-label],[title],img[alt]')) {
    if (el.closest(skip) || foreign(el)) continue;
    for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
      if (el.hasAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""

# Waits for the page's short CSS animations and transitions (a message appearing); long or
# endless ones (Wagtail's 25-second logo animation, a spinner) are not waited for.
SETTLE_ANIMATIONS_JS = """() => Promise.all(
  document.getAnimations()
    .filter(a => (a.effect?.getComputedTiming().endTime ?? Infinity) <= 2000)
    .map(a => a.finished.catch(() => null))
)"""


def english_words(texts: list[str]) -> set[str]:
    """Latin words of two letters or more, once URLs, e-mail addresses and anything holding
    a digit (codes, numbers, hashes) are taken out; single letters are credit grades."""
    words = set()
    for text in texts:
        text = re.sub(r"https?://\S+|\S+@\S+|[\w.-]*\d[\w.-]*", " ", text)
        words.update(w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_LATIN)
    return words


class Checks:
    """What every page visited must pass: no serious or critical axe-core violation and,
    on a Chinese page, no English words. Problems are collected and reported together."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.axe = Axe()
        self.names: set[str] = set()

    def allow_names(self, *names: str) -> None:
        """Words that are the data of the person signed in (a username they chose), which no
        translation could or should change."""
        self.names.update(names)

    def page(self, page) -> None:
        url = page.url
        # Judged as the user sees it once it has settled: a message still fading in has
        # colours no one reads (Wagtail's messages take half a second to appear).
        page.evaluate(SETTLE_ANIMATIONS_JS)
        results = self.axe.run(page).response
        for violation in results["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
                self.problems.append(
                    f"{url}: axe {violation['id']} ({violation['impact']}) at {targets}"
                )
        if page.evaluate("document.documentElement.lang").lower().startswith("zh"):
            words = english_words(page.evaluate(VISIBLE_TEXT_JS)) - self.names
            if words:
                self.problems.append(f"{url}: English words {sorted(words)}")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_createdb):
    """The test database, set up whatever the tests are marked with: pytest-django sets up
    only for tests asking for `db`, whose transaction would hide their writes from the live
    server (a separate connection)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, keepdb=not django_db_createdb)
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0, keepdb=True)


@pytest.fixture(scope="session")
def site(django_db_setup, django_db_blocker, local_beacon_url, local_pki):
    """The demo data and a live server on 127.0.0.1, for the whole run; on SQLite the
    database is put back as migrations left it afterwards."""
    with django_db_blocker.unblock():
        snapshot = None
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            snapshot = sqlite3.connect(":memory:")
            connection.connection.backup(snapshot)
        with override_settings(
            BEACON_URL=local_beacon_url,
            PKI_DIR=local_pki["directory"],
            TSA_URL=local_pki["tsa_url"],
        ):
            call_command("seed_demo", verbosity=0)
        server = LiveServerThread("127.0.0.1", static_handler=StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            yield f"http://127.0.0.1:{server.port}"
        finally:
            server.terminate()
            if snapshot is not None:
                connection.ensure_connection()
                snapshot.backup(connection.connection)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, site, chromium):
    context = chromium.new_context(base_url=site, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        stem = FAILURES / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
        print(f"\nbrowser failure kept: {stem}.png and {stem}.html")
    context.close()


@pytest.fixture
def checks():
    return Checks()


@pytest.fixture
def orm(site, django_db_blocker):
    """The ORM in the test itself, beside the browser: to read what a user would be told
    elsewhere (an authenticator's code) or to move the clock's consequences through the
    services, on the live server's database. No transaction wraps it: the server must see
    the writes, and the database is put back as a whole after the run."""
    with django_db_blocker.unblock():
        yield
