"""Issue 13, larger-text mode (适老化): a POST sets or clears the reader's cookie and sends them
back to the page they were on, never to another site; a GET changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from core.preference_views import LARGER_TEXT_COOKIE, LARGER_TEXT_COOKIE_AGE

URL = "/preferences/larger-text/"


def test_the_url_is_where_the_header_posts():
    assert reverse("preferences:larger_text") == URL


def test_turning_larger_text_on_sets_a_lasting_cookie_and_goes_back(client):
    response = client.post(URL, {"larger_text": "1", "next": "/notices/?page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/notices/?page=2"
    cookie = response.cookies[LARGER_TEXT_COOKIE]
    assert cookie.value == "1"
    assert cookie["max-age"] == LARGER_TEXT_COOKIE_AGE
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_turning_it_off_clears_the_cookie(client):
    client.cookies[LARGER_TEXT_COOKIE] = "1"

    response = client.post(URL, {"larger_text": "0", "next": "/en/catalogue/"})

    assert response["Location"] == "/en/catalogue/"
    cookie = response.cookies[LARGER_TEXT_COOKIE]
    assert cookie.value == ""
    assert cookie["max-age"] == 0


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/",
        "//evil.example/",
        "javascript:alert(1)",
        "http:\\\\evil.example",
        "",
    ],
)
def test_a_next_outside_the_site_falls_back_home(client, unsafe):
    response = client.post(URL, {"larger_text": "1", "next": unsafe})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[LARGER_TEXT_COOKIE].value == "1"


def test_a_get_sets_nothing(client):
    response = client.get(URL, {"larger_text": "1", "next": "/"})

    assert response.status_code == 405
    assert LARGER_TEXT_COOKIE not in response.cookies


def test_the_toggle_needs_the_csrf_token():
    # A hostile page must not switch a reader's display by posting to us from elsewhere.
    client = Client(enforce_csrf_checks=True)

    response = client.post(URL, {"larger_text": "1", "next": "/"})

    assert response.status_code == 403
    assert LARGER_TEXT_COOKIE not in response.cookies
