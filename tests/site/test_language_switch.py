"""Issue 13: the language switcher takes the reader to the same page in the other language,
both ways, on the marketplace's own pages and on Wagtail's, keeping the query string.

Each test reads the switcher's form off the rendered page and posts exactly what a browser
would, so a `next` the template gets wrong fails here."""

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation

from cms.models import HomePage
from tests.catalogue.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

SEARCH = "q=" + quote("环评") + "&page=1"


@pytest.fixture
def wagtail_child_page():
    """A Wagtail page below the home page, so the switch is tried on a path Wagtail serves
    rather than the site root alone. It is a second HomePage only because no other page type
    is certain to exist; the admin would refuse it, a test need not."""
    home = HomePage.objects.get()
    return home.add_child(instance=HomePage(title="Policy", slug="policy"))


def _switch(client, page_url: str, language: str):
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    html = page.content.decode()
    form = re.search(r'<form class="language-switcher[^>]*action="([^"]+)".*?</form>', html, re.S)
    assert form, f"no language switcher on {page_url}"
    next_value = re.search(r'name="next" type="hidden" value="([^"]*)"', form.group(0))
    assert f'name="language" value="{language}"' in form.group(0)
    return client.post(
        unescape(form.group(1)), {"language": language, "next": unescape(next_value.group(1))}
    )


PAGES = [
    "/",
    "/notices/",
    "/catalogue/",
    f"/catalogue/?{SEARCH}",
    "/agencies/",
    "/agencies/register/",
    "/accounts/login/",
    "/policy/",
]


@pytest.mark.parametrize("chinese", PAGES)
def test_english_page_switches_to_the_same_page_in_chinese(client, wagtail_child_page, chinese):
    english = "/en" + chinese
    response = _switch(client, english, "zh-hans")

    assert response.status_code == 302
    assert response["Location"] == chinese
    assert response.cookies["django_language"].value == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("chinese", PAGES)
def test_chinese_page_switches_to_the_same_page_in_english(client, wagtail_child_page, chinese):
    response = _switch(client, chinese, "en")

    assert response.status_code == 302
    assert response["Location"] == "/en" + chinese
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(response["Location"]).content.decode()


def test_a_catalogue_item_switches_both_ways(client):
    item = ServiceItemFactory()
    with translation.override("zh-hans"):
        chinese = reverse("catalogue:detail", args=[item.code])

    to_english = _switch(client, chinese, "en")
    assert to_english["Location"] == "/en" + chinese
    back = _switch(client, to_english["Location"], "zh-hans")
    assert back["Location"] == chinese


def test_switching_back_and_forth_never_stacks_prefixes(client, wagtail_child_page):
    """The cookie set by the first switch must not change where the second one lands."""
    url = f"/catalogue/?{SEARCH}"
    for _ in range(2):
        url = _switch(client, url, "en")["Location"]
        assert url == f"/en/catalogue/?{SEARCH}"
        url = _switch(client, url, "zh-hans")["Location"]
        assert url == f"/catalogue/?{SEARCH}"
