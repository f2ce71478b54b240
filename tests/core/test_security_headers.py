"""Issue 9, findings "Headers" and "CSP": the site's pages send a Content-Security-Policy that
allows no inline script or style, and carry none; Wagtail's admin, whose inline scripts we
cannot change, gets a looser policy of its own; production passes `check --deploy`."""

import base64
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from cms.models import HomePage
from tests.accounts.factories import UserFactory
from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = ["/", "/catalogue/", "/accounts/login/"]


def _policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class _InlineCodeFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: a <script> or <style>
    with a body, a style attribute, an on*= handler, a javascript: address; and, in a rendered
    page, any script, stylesheet or image from another origin, which 'self' blocks too."""

    def __init__(self, *, rendered: bool):
        super().__init__(convert_charrefs=True)
        self.rendered = rendered
        self.found: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            runs_code = (value or "").strip().lower().startswith("javascript:")
            if name == "style" or name.startswith("on") or runs_code:
                self.found.append(f'<{tag} {name}="{value}">')
        address = attributes.get("src") or ""
        if tag == "link" and "stylesheet" in (attributes.get("rel") or ""):
            address = attributes.get("href") or ""
        own = address.startswith("/") and not address.startswith("//")
        if self.rendered and address and not own and not address.startswith("data:"):
            self.found.append(f"<{tag}> from another origin: {address}")
        # A JSON data block (json_script) is never run, so a policy does not apply to it.
        if tag == "style" or (tag == "script" and attributes.get("type") != "application/json"):
            self._open = tag

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open and data.strip():
            self.found.append(f"<{self._open}>{data.strip()[:60]}…</{self._open}>")


def _inline_code(html: str, *, rendered: bool = True) -> list[str]:
    finder = _InlineCodeFinder(rendered=rendered)
    finder.feed(html)
    finder.close()
    # The same check by pattern, so a tag the parser reads differently cannot slip through.
    patterns = [
        r"<script\b(?![^>]*application/json)[^>]*>\s*[^<\s]",
        r"<style\b",
        r"\sstyle=\"",
        r"\son[a-z]+=\"",
    ]
    found = finder.found + [p for p in patterns if re.search(p, html, re.IGNORECASE)]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_finding_csp_public_pages_allow_no_inline_script_or_style(client, url):
    response = client.get(url)

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_finding_csp_public_pages_carry_no_inline_script_or_style(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert _inline_code(response.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("owner_user", "/accounts/workspace/"),
        ("owner_user", "/accounts/"),
        ("owner_user", "/my/requests/"),
        ("agency_user", "/accounts/workspace/"),
        ("regulator_user", "/accounts/workspace/"),
        ("approval_user", "/accounts/workspace/"),
    ],
)
def test_finding_csp_signed_in_pages_carry_no_inline_script_or_style(client, request, role, url):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url)

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert _inline_code(response.content.decode()) == []


def test_finding_csp_templates_carry_no_inline_script_or_style():
    """Every template of ours, including pages no test renders and Wagtail admin pages of our
    own (which would run under the admin's looser policy, but need not)."""
    found = {}
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if inline := _inline_code(template.read_text(encoding="utf-8"), rendered=False):
            found[str(template.relative_to(ROOT))] = inline
    assert found == {}


@pytest.mark.django_db
def test_finding_csp_admin_gets_a_policy_wagtail_can_work_under(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    policy = _policy(response)
    # Wagtail's own inline scripts and style attributes must run ...
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    # ... but nothing from another origin, no eval, no plugins, no foreign framing.
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    # Everything the login page loads is our own, which the policy allows.
    page = response.content.decode()
    assert 'src="/static/' in page
    assert [f for f in _inline_code(page) if "another origin" in f] == []


@pytest.mark.django_db
def test_finding_headers_wagtail_preview_may_still_be_framed_by_the_admin(client):
    client.force_login(UserFactory(organisation=None, is_superuser=True))
    home = HomePage.objects.first()

    response = client.get(f"/admin/pages/{home.pk}/edit/preview/")

    # The preview panel frames this view: Wagtail sets SAMEORIGIN on it despite our DENY, and
    # the admin's policy lets the admin's own origin frame it.
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert _policy(response)["frame-ancestors"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_finding_headers_site_pages_may_not_be_framed(client, url):
    response = client.get(url)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


# drand's public quicknet chain, as production would read it.
QUICKNET = {key: value for key, value in PRODUCTION_ENV.items() if key.startswith("BEACON_")}


@pytest.mark.slow
def test_finding_headers_production_passes_the_deploy_check(tmp_path):
    # Given production settings with every value it requires (random, as production's would be)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ID_NUMBER_HASH_KEY=secrets.token_urlsafe(32),
        QUOTE_SEALING_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="zjcs.example.test",
        SITE_URL="https://zjcs.example.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        TRANSPARENCY_LOG_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        TRANSPARENCY_LOG_ORIGIN="zjcs.example.test/transparency",
        PKI_KEY_PASSPHRASE=secrets.token_urlsafe(32),
        TSA_URL="https://tsa.zjcs.example.test",
        **QUICKNET,
    )

    # When Django's deployment checks run
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Then none of the security warnings appears, and nothing is silenced to get there
    output = result.stdout + result.stderr
    for code in ("W004", "W005", "W008", "W009", "W012", "W016", "W019", "W021"):
        assert f"security.{code}" not in output
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
