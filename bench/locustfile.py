"""The people of the quoting burst (bench/burst.py runs this file; see there).

Browser: someone reading the public pages, a new page every few seconds (the plan's
think_seconds).
Agency: an agency administrator who signs in, opens the quote form, and sends the quote once,
at the moment the plan gives it (most in the last ten seconds before the deadline, a few just
after it). Each sending is written as one JSON line to $BURST_RESULTS for the driver to check
against the database, and every request made during the burst to $BURST_WINDOW."""

import json
import os
import re
import secrets
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, constant, events, task

PLAN = json.loads(Path(os.environ["BURST_PLAN"]).read_text(encoding="utf-8"))
FIELD = r'name="{}" value="([^"]*)"'
# The burst itself: the last ten seconds before the deadline and the three after it.
WINDOW = (PLAN["deadline"] - 10, PLAN["deadline"] + 3)


@events.request.add_listener
def _during_the_burst(name: str, response_time: float, exception, **_kwargs) -> None:
    """Every request that started inside WINDOW, one JSON line in $BURST_WINDOW."""
    started = time.time() - response_time / 1000
    if WINDOW[0] <= started <= WINDOW[1]:
        with open(os.environ["BURST_WINDOW"], "a", encoding="utf-8") as window:
            line = {"name": name, "ms": response_time, "failed": exception is not None}
            window.write(json.dumps(line) + "\n")


def _field(html: str, name: str) -> str:
    found = re.search(FIELD.format(name), html)
    if found is None:
        raise ValueError(f"the quote form has no {name}")
    return found.group(1)


class Browser(HttpUser):
    fixed_count = PLAN["browsers"]
    wait_time = between(*PLAN["think_seconds"])

    @task(3)
    def home(self) -> None:
        self.client.get("/")

    @task(2)
    def notices(self) -> None:
        self.client.get("/notices/")

    @task(3)
    def notice(self) -> None:
        # Everyone watches the request closing.
        self.client.get(f"/notices/{PLAN['number']}/", name="/notices/[number]/")

    @task(2)
    def catalogue(self) -> None:
        self.client.get("/catalogue/")

    @task
    def catalogue_search(self) -> None:
        self.client.get("/catalogue/?q=评价", name="/catalogue/?q=")

    @task(2)
    def roster(self) -> None:
        self.client.get("/agencies/")

    @task
    def search(self) -> None:
        self.client.get("/search/?q=环评", name="/search/?q=")


class Agency(HttpUser):
    fixed_count = len(PLAN["agencies"])
    # One quote each: after it, the administrator only waits (the run ends first).
    wait_time = constant(3600)
    plans = iter(PLAN["agencies"])

    def on_start(self) -> None:
        self.plan = next(Agency.plans)
        self.ready = False
        login = self.client.get("/accounts/login/", name="sign-in form")
        signed_in = self.client.post(
            "/accounts/login/",
            data={
                "username": self.plan["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": _field(login.text, "csrfmiddlewaretoken"),
            },
            allow_redirects=False,
            name="sign in",
        )
        if signed_in.status_code != 302:
            return
        form = self.client.get(PLAN["quote_path"], name="quote form")
        if form.status_code == 200:
            self.form = {
                "csrfmiddlewaretoken": _field(form.text, "csrfmiddlewaretoken"),
                "idempotency_key": _field(form.text, "idempotency_key"),
                **PLAN["quote"],
            }
            self.ready = True

    @task
    def quote(self) -> None:
        if not self.ready:
            self._record(sent=time.time(), status=0, elapsed=0.0, outcome="not_ready")
            return
        gevent.sleep(max(0.0, self.plan["send_at"] - time.time()))
        # The nonce is the agency's own, made where it quotes, as its browser makes it.
        data = {**self.form, "nonce": secrets.token_hex(16)}
        sent = time.time()
        with self.client.post(
            PLAN["quote_path"],
            data=data,
            allow_redirects=False,
            name="quote submission"
            if self.plan["send_at"] < PLAN["deadline"]
            else "quote submission after the deadline",
            catch_response=True,
        ) as response:
            elapsed = time.time() - sent
            if response.status_code == 302:
                outcome = "accepted"
            elif response.status_code == 200 and PLAN["deadline_refusal"] in response.text:
                outcome = "refused_deadline"
            else:
                outcome = "error"
            # A refusal after the deadline is the site working; only an error is a failure.
            if outcome == "error":
                response.failure(f"answered {response.status_code}")
            else:
                response.success()
        self._record(sent=sent, status=response.status_code, elapsed=elapsed, outcome=outcome)

    def _record(self, *, sent: float, status: int, elapsed: float, outcome: str) -> None:
        line = {
            "username": self.plan["username"],
            "send_at": self.plan["send_at"],
            "sent": sent,
            "status": status,
            "elapsed": elapsed,
            "outcome": outcome,
        }
        with open(os.environ["BURST_RESULTS"], "a", encoding="utf-8") as results:
            results.write(json.dumps(line) + "\n")
