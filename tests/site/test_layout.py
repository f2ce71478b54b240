"""Issue 13, what every public page's layout promises that the server can show: a way past
the header for keyboard users, the larger-text class on <html> before the first paint, the
site-wide search box, the favicon, and scripts only from our own static files. The 375 px
checks themselves run in a real browser (tests/browser/)."""

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse

from core.preference_views import LARGER_TEXT_COOKIE

pytestmark = pytest.mark.django_db

PAGES = ["/", "/notices/", "/catalogue/", "/agencies/", "/accounts/login/", "/en/notices/"]


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_skip_link_comes_first_and_leads_to_the_main_content(client, url):
    page = _page(client, url)
    body = page[page.index("<body") :]

    first_link = re.search(r"<a\b[^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link
    assert 'href="#content"' in first_link
    assert re.search(r'<main\b[^>]*\bid="content"', page)


@pytest.mark.parametrize("url", PAGES)
def test_the_larger_text_class_is_on_html_only_when_chosen(client, url):
    assert not re.search(r"<html\b[^>]*larger-text", _page(client, url))

    client.cookies[LARGER_TEXT_COOKIE] = "1"
    page = _page(client, url)

    assert re.search(r'<html lang="[^"]+" class="larger-text">', page)
    assert 'aria-pressed="true"' in page


def test_the_header_toggle_posts_the_opposite_of_the_current_choice(client):
    off = _page(client, "/notices/?page=1")
    toggle = re.search(
        r'<form method="post" action="/preferences/larger-text/".*?</form>', off, re.S
    )
    assert toggle
    assert 'name="larger_text" value="1"' in toggle.group(0)
    assert 'name="next" value="/notices/?page=1"' in toggle.group(0)
    assert 'aria-pressed="false"' in toggle.group(0)

    client.cookies[LARGER_TEXT_COOKIE] = "1"
    on = _page(client, "/notices/")
    assert re.search(r'name="larger_text" value="0"', on)


@pytest.mark.parametrize("url", ["/", "/en/catalogue/"])
def test_the_site_search_box_is_in_the_header(client, url):
    page = _page(client, url)
    header = page[page.index('<header class="site-header"') : page.index("</header>")]

    form = re.search(
        r'<form class="site-search" role="search" method="get" action="([^"]+)"', header
    )
    assert form
    assert form.group(1) == reverse("search:results")
    field = re.search(r'<input type="search" id="site-search"[^>]*>', header).group(0)
    assert 'name="q"' in field
    assert 'autocomplete="off"' in field
    assert '<label for="site-search"' in header


def test_english_pages_search_in_english(client):
    page = _page(client, "/en/catalogue/")
    assert 'action="/en/search/"' in page


def test_the_favicon_is_linked_and_exists(client):
    page = _page(client, "/")

    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link
    assert link.group(1).endswith("favicon.svg")
    assert finders.find("favicon.svg")


def test_favicon_ico_leads_to_the_svg(client):
    # Browsers ask for /favicon.ico whatever the page links; it must not be a 404.
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/favicon.svg")


@pytest.mark.parametrize("url", ["/", "/notices/"])
def test_the_navigation_is_open_without_javascript(client, url):
    # site.js folds it on a phone; without the script every link must still be there.
    page = _page(client, url)
    menu = re.search(r'<details class="nav-menu container" open>.*?</details>', page, re.S)
    assert menu
    assert "<summary>" in menu.group(0)
    assert '<nav class="main-nav"' in menu.group(0)
    assert f'href="{reverse("market:notices")}"' in menu.group(0)


def test_the_site_script_is_an_external_file(client):
    page = _page(client, "/")

    assert re.search(r'<script src="/static/js/site\.js" defer></script>', page)
    assert finders.find("js/site.js")
    assert finders.find("css/site.css")


def test_landmarks_are_each_there_once(client):
    page = _page(client, "/notices/")

    for landmark in ("<header", "<main", "<footer", 'role="search"', '<nav class="main-nav"'):
        assert page.count(landmark) == 1, landmark
    assert re.search(r'<nav class="main-nav" aria-label="[^"]+">', page)


@pytest.mark.parametrize(("url", "home"), [("/notices/", "/"), ("/en/notices/", "/en/")])
def test_the_brand_leads_home_in_the_page_language(client, url, home):
    assert f'<a class="brand" href="{home}">' in _page(client, url)


def test_an_error_message_is_announced_at_once():
    # An error interrupts a screen reader (alert); a confirmation waits its turn (status).
    html = render_to_string(
        "includes/messages.html",
        {"messages": [Message(constants.ERROR, "refused"), Message(constants.SUCCESS, "saved")]},
    )

    assert re.search(r'<li class="message error" role="alert">refused</li>', html)
    assert re.search(r'<li class="message success" role="status">saved</li>', html)


def test_a_missing_page_keeps_the_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="skip-link"' in page
    assert 'id="site-search"' in page
