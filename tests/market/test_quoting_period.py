"""The minimum quoting period: a quote deadline falls at least the regulators' number of working
days (PurchasingRules, default one) after publication, or after quoting opens if later,
on the working-day calendar; the demo alone may shorten it (DEMO_MIN_QUOTING_SECONDS)."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from django.urls import reverse

from market.models import PurchaseRequest, PurchasingRules
from market.services.requests import min_quoting_workdays, purchase_request_publish
from tests.core.test_settings import PRODUCTION_ENV, ROOT
from tests.market.scenario import NOW, Market
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def beijing(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=BEIJING)


@pytest.fixture
def clock():
    # NOW is Monday 2 November 2026, 17:00 in Beijing.
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market():
    return Market()


def test_minimum_quoting_period_defaults_to_one_working_day(settings):
    assert min_quoting_workdays() == 1
    assert settings.DEMO_MIN_QUOTING_SECONDS is None


def test_minimum_quoting_period_a_deadline_within_a_working_day_is_refused(market, clock):
    with refused("quoting_period_too_short") as caught:
        market.published(quote_deadline=NOW + datetime.timedelta(hours=1))
    assert "quote_deadline" in caught.value.extra
    assert "2026-11-03 17:00" in caught.value.message
    with refused("quoting_period_too_short"):
        market.draft(quote_deadline=beijing(2026, 11, 3, 16, 59))
    assert not PurchaseRequest.objects.exists()

    published = market.published(quote_deadline=beijing(2026, 11, 3, 17, 0))
    assert published.status == Status.QUOTING


def test_minimum_quoting_period_a_weekend_does_not_count(market, clock):
    clock.move_to(beijing(2026, 11, 6, 17, 0))  # a Friday
    for deadline in (beijing(2026, 11, 7, 17, 0), beijing(2026, 11, 9, 16, 59)):
        with refused("quoting_period_too_short"):
            market.published(quote_deadline=deadline)
    assert market.published(quote_deadline=beijing(2026, 11, 9, 17, 0)).published_at


def test_minimum_quoting_period_a_holiday_does_not_count(market, clock):
    clock.move_to(beijing(2026, 9, 30, 17, 0))  # the eve of the National Day holiday
    with refused("quoting_period_too_short"):
        market.published(quote_deadline=beijing(2026, 10, 7, 17, 0))
    assert market.published(quote_deadline=beijing(2026, 10, 8, 17, 0)).published_at


def test_minimum_quoting_period_counts_from_the_opening_of_quoting(market, clock):
    opens = beijing(2026, 11, 4, 17, 0)  # Wednesday
    with refused("quoting_period_too_short"):
        market.published(quote_opens_at=opens, quote_deadline=beijing(2026, 11, 5, 10, 0))
    published = market.published(quote_opens_at=opens, quote_deadline=beijing(2026, 11, 5, 17, 0))
    assert published.status == Status.PUBLISHED


def test_minimum_quoting_period_is_checked_again_at_publication(market, clock):
    draft = market.draft(quote_deadline=beijing(2026, 11, 4, 17, 0))
    clock.move_to(beijing(2026, 11, 4, 9, 0))  # the owner publishes two days later
    with refused("quoting_period_too_short"):
        purchase_request_publish(actor=market.owner, purchase_request=draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.published_at is None


def test_minimum_quoting_period_follows_the_regulators_setting(market, clock, settings):
    rules = PurchasingRules.objects.first() or PurchasingRules()
    rules.min_quoting_workdays = 3
    rules.save()
    with refused("quoting_period_too_short"):
        market.published(quote_deadline=beijing(2026, 11, 5, 16, 0))
    assert market.published(quote_deadline=beijing(2026, 11, 5, 17, 0)).published_at


def test_minimum_quoting_period_the_demo_may_shorten_it_in_seconds(market, clock, settings):
    settings.DEMO_MIN_QUOTING_SECONDS = 60
    with refused("quoting_period_too_short"):
        market.published(quote_deadline=NOW + datetime.timedelta(seconds=30))
    assert market.published(quote_deadline=NOW + datetime.timedelta(seconds=60)).published_at


@pytest.mark.slow
def test_minimum_quoting_period_production_never_takes_the_demo_shortcut():
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DEMO_MIN_QUOTING_SECONDS": "0",
    }
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEMO_MIN_QUOTING_SECONDS)"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, our own script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None"]


def test_minimum_quoting_period_is_kept_by_regulators_in_the_back_office(client, regulator_user):
    client.force_login(regulator_user)
    rules = PurchasingRules.objects.get()  # made by its migration: reading never writes
    url = reverse("wagtailsettings:edit", args=["market", "purchasingrules", rules.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"min_quoting_workdays": "2"})
    assert response.status_code == 302
    assert min_quoting_workdays() == 2
    # Nothing below one working day.
    client.post(url, {"min_quoting_workdays": "0"})
    assert min_quoting_workdays() == 2


def test_minimum_quoting_period_is_not_the_owners_to_change(client, owner_user):
    client.force_login(owner_user)
    rules = PurchasingRules.objects.get()
    url = reverse("wagtailsettings:edit", args=["market", "purchasingrules", rules.pk])
    client.post(url, {"min_quoting_workdays": "30"})
    assert min_quoting_workdays() == 1
