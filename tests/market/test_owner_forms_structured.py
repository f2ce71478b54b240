"""The purchase request form's structured inputs (issue 13): scoring factors and excluded
agencies as formsets, every mistake of the form and of the services shown in one answer with
everything typed kept, a draft's form filled from what it stores, and a plain explanation
beside each choice the owner makes."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils.translation import gettext

from market.models import Project, PurchaseRequest, PurchaseRequestExclusion, SelectionMethod
from market.owner_forms import agency_pick_value
from market.services.requests import PRICE_CRITERION
from tests.market.scenario import NOW
from tests.market.test_owner_pages import DEADLINE, Market, form_errors

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def market():
    return Market()


@pytest.fixture
def owner_client(client, market):
    client.force_login(market.owner)
    return client


def _url(name, purchase_request=None):
    return reverse(
        f"owner:{name}", args=[purchase_request.number] if purchase_request is not None else []
    )


def _code(agency) -> str:
    return agency.organisation.credit_code


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _value(page: BeautifulSoup, name: str) -> str | None:
    box = page.find(attrs={"name": name})
    return None if box is None else box.get("value", box.string)


# --- saving -----------------------------------------------------------------------------------


def test_the_formsets_create_the_request_with_its_factors_and_exclusions(owner_client, market):
    # Given factors and exclusions typed into their rows, blank rows among them,
    data = market.form_data(
        selection_method=SelectionMethod.SCORED,
        criteria=[("价格", "40"), ("技术方案", "35"), ("", ""), ("服务承诺", "25")],
        exclusions=[
            (agency_pick_value(market.agencies[0]), "与本单位存在关联关系"),
            ("", ""),
            (_code(market.agencies[1]).lower(), " 曾为本项目编制可研 "),
        ],
    )

    # when the draft is saved,
    response = owner_client.post(_url("request_new"), data)

    # it holds exactly those factors (price under its own name) and exclusions.
    purchase_request = PurchaseRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("request_detail", purchase_request)
    assert purchase_request.scoring_criteria == [
        {"name": PRICE_CRITERION, "weight": 40},
        {"name": "技术方案", "weight": 35},
        {"name": "服务承诺", "weight": 25},
    ]
    assert set(purchase_request.exclusions.values_list("agency_id", "reason")) == {
        (market.agencies[0].pk, "与本单位存在关联关系"),
        (market.agencies[1].pk, "曾为本项目编制可研"),
    }


def test_factors_are_not_kept_for_a_method_other_than_scored(owner_client, market):
    # The price row the page offers, and even a row half filled, mean nothing for a draw.
    response = owner_client.post(
        _url("request_new"),
        market.form_data(criteria=[("价格", ""), ("技术方案", "abc")]),
    )
    assert response.status_code == 302
    assert PurchaseRequest.objects.get().scoring_criteria == []


def test_an_agency_can_be_picked_by_its_exact_name(owner_client, market):
    agency = market.agencies[2]
    owner_client.post(
        _url("request_new"),
        market.form_data(exclusions=[(agency.organisation.name, "关联单位")]),
    )
    assert list(PurchaseRequest.objects.get().exclusions.values_list("agency_id", flat=True)) == [
        agency.pk
    ]


# --- every mistake at once --------------------------------------------------------------------


@pytest.mark.parametrize("budget", ["0", "a lot"])  # refused by the service / by the form
def test_several_mistakes_are_all_reported_at_once_and_nothing_is_saved(
    owner_client, market, budget
):
    first, second = market.agencies[0], market.agencies[1]
    data = market.form_data(
        budget=budget,
        selection_method=SelectionMethod.SCORED,
        wanted_time_limit_days="31",  # the item's statutory limit is 30: the service's rule
        criteria=[("价格", "40"), ("技术方案", "40")],  # 80, not 100: the service's rule
        exclusions=[
            (_code(first), "关联单位"),
            (_code(first), "关联单位"),  # listed twice
            (_code(second), ""),  # no reason
        ],
    )

    response = owner_client.post(_url("request_new"), data)

    # Every mistake, the form's and the services', is on the one page that comes back,
    assert response.status_code == 200
    entry = response.context["entry"]
    assert {"budget", "wanted_time_limit_days", "scoring_criteria", "exclusions"} <= form_errors(
        response
    )
    assert entry.criteria.non_form_errors() == [gettext("The weights must add up to 100.")]
    assert [sorted(row.errors) for row in entry.exclusions.forms] == [[], ["agency"], ["reason"]]
    assert entry.exclusions.forms[1].has_error("agency")
    # each at its place on the page,
    page = _page(response)
    assert page.select_one("#scoring-criteria .errors") is not None
    assert page.select_one("#id_exclusions-1-agency").get("aria-invalid") == "true"
    assert page.select_one("#id_exclusions-2-reason").get("aria-invalid") == "true"
    # with everything typed kept,
    assert _value(page, "budget") == budget
    assert _value(page, "criteria-1-name") == "技术方案"
    assert _value(page, "criteria-1-weight") == "40"
    assert _value(page, "exclusions-2-agency") == _code(second)
    assert page.select_one('input[name="selection_method"][value="scored"]').has_attr("checked")
    # and nothing saved.
    assert not PurchaseRequest.objects.exists()
    assert not PurchaseRequestExclusion.objects.exists()


def test_the_services_verdict_beside_the_forms_own_errors_never_doubles_them(owner_client, market):
    # A budget the form cannot read shows the form's error alone, not also the service's.
    response = owner_client.post(
        _url("request_new"),
        market.form_data(budget="a lot", quote_deadline="2026-11-01T09:00"),  # and yesterday
    )
    errors = response.context["form"].errors
    assert len(errors["budget"]) == 1
    assert errors["quote_deadline"] == [gettext("The quote deadline must be in the future.")]
    assert not PurchaseRequest.objects.exists()


def test_too_many_rows_are_refused_not_built(owner_client, market):
    data = market.form_data(exclusions=[("", "")] * 21)
    response = owner_client.post(_url("request_new"), data)
    assert response.status_code == 200
    assert "exclusions" in form_errors(response)
    assert not PurchaseRequest.objects.exists()


# --- changing a draft -------------------------------------------------------------------------


def _scored_draft(market) -> PurchaseRequest:
    return market.draft(
        selection_method=SelectionMethod.SCORED,
        budget=123456,
        scoring_criteria=((PRICE_CRITERION, 30), ("技术方案", 70)),
        exclusions=((market.agencies[3], "与本单位存在关联关系"),),
    )


def test_editing_a_draft_fills_the_form_and_its_formsets_from_what_it_stores(owner_client, market):
    draft = _scored_draft(market)

    response = owner_client.get(_url("request_edit", draft))

    assert response.status_code == 200
    page = _page(response)
    assert _value(page, "budget") == "123456.00"
    assert page.select_one('input[name="selection_method"][value="scored"]').has_attr("checked")
    assert [
        (_value(page, f"criteria-{i}-name"), _value(page, f"criteria-{i}-weight")) for i in range(2)
    ] == [(gettext("Price"), "30"), ("技术方案", "70")]
    assert _value(page, "exclusions-0-agency") == agency_pick_value(market.agencies[3])
    assert _value(page, "exclusions-0-reason") == "与本单位存在关联关系"
    # The project is the draft's own and is not offered for change.
    assert page.select_one("#id_project").has_attr("disabled")


def test_a_changed_draft_keeps_the_new_rows_and_a_refused_change_keeps_the_old(
    owner_client, market
):
    draft = _scored_draft(market)
    url = _url("request_edit", draft)

    # A change with a mistake in a row alone leaves the draft as it was (the services were
    # asked about the rest, and what they wrote while asked is undone),
    response = owner_client.post(
        url,
        market.form_data(
            budget="150000",
            selection_method=SelectionMethod.SCORED,
            criteria=[("价格", "50"), ("技术方案", "50")],
            exclusions=[(_code(market.agencies[3]), "")],
        ),
    )
    assert response.status_code == 200
    assert "exclusions" in form_errors(response)
    draft.refresh_from_db()
    assert draft.budget == 123456 and draft.scoring_criteria[0]["weight"] == 30
    assert draft.exclusions.count() == 1

    # and a right one is saved, the rows emptied in the page gone.
    response = owner_client.post(
        url,
        market.form_data(
            budget="150000",
            selection_method=SelectionMethod.SCORED,
            criteria=[("价格", "50"), ("技术方案", "50"), ("", "")],
            exclusions=[("", "")],
        ),
    )
    assert response.status_code == 302 and response["Location"] == _url("request_detail", draft)
    draft.refresh_from_db()
    assert draft.budget == 150000 and draft.project == market.project
    assert draft.scoring_criteria == [
        {"name": PRICE_CRITERION, "weight": 50},
        {"name": "技术方案", "weight": 50},
    ]
    assert not draft.exclusions.exists()
    assert draft.status == Status.DRAFT


def test_a_published_request_cannot_be_changed_through_the_form(owner_client, market):
    published = market.published()
    assert owner_client.get(_url("request_edit", published)).status_code == 302
    response = owner_client.post(_url("request_edit", published), market.form_data(budget="1"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.budget == 200000


def test_another_owners_draft_is_not_found(client, market):
    draft = _scored_draft(market)
    client.force_login(Market().owner)
    assert client.get(_url("request_edit", draft)).status_code == 404


def test_the_draft_page_links_to_its_form(owner_client, market):
    draft = market.draft()
    html = owner_client.get(_url("request_detail", draft)).content.decode()
    assert _url("request_edit", draft) in html


# --- choices the owner understands ------------------------------------------------------------


def _explained_choices(page: BeautifulSoup, name: str) -> dict[str, str]:
    """Each radio button of `name`: its value → the explanation it is described by, checked
    to sit in the button's own label."""
    explained = {}
    for button in page.select(f'input[type="radio"][name="{name}"]'):
        label = button.find_parent("label")
        assert label is not None and label["for"] == button["id"]
        help_id = button["aria-describedby"]
        explanation = page.find(id=help_id)
        assert explanation is not None and explanation.find_parent("label") is None
        explained[button["value"]] = explanation.get_text(strip=True)
    return explained


def test_each_selection_method_is_explained_beside_its_button(client):
    market = Market(funding=Project.Funding.SOCIAL)  # direct selection offered too
    client.force_login(market.owner)

    page = _page(client.get(_url("request_new"), {"project": market.project.pk}))

    explained = _explained_choices(page, "selection_method")
    assert set(explained) == set(SelectionMethod.values)
    assert all(explained.values())
    assert len(set(explained.values())) == len(explained)  # one sentence per method
    for text in explained.values():
        assert "docs/" not in text and "manage.py" not in text
        assert not any(f"R{number}" in text for number in range(1, 20))
    group = page.select_one('input[name="selection_method"]').find_parent("fieldset")
    assert gettext("Selection method") in group.legend.get_text()


def test_a_state_funded_project_is_offered_five_methods_each_explained(owner_client, market):
    page = _page(owner_client.get(_url("request_new"), {"project": market.project.pk}))
    explained = _explained_choices(page, "selection_method")
    assert set(explained) == set(SelectionMethod.values) - {SelectionMethod.DIRECT}
    assert all(explained.values())


def test_funding_is_explained_on_the_project_form(owner_client):
    page = _page(owner_client.get(reverse("owner:project_new")))
    explained = _explained_choices(page, "funding")
    assert set(explained) == set(Project.Funding.values)
    assert explained[Project.Funding.STATE] != explained[Project.Funding.SOCIAL]


def test_the_page_works_without_inline_script(owner_client, market):
    page = _page(owner_client.get(_url("request_new")))
    scripts = page.find_all("script")
    assert scripts and all(script.get("src") for script in scripts)
    assert any(script["src"].endswith("js/owner-scoring.js") for script in scripts)
    # Without the script, blank rows are there to fill: the price row and three more
    # factors, two agencies; the buttons that need the script start hidden.
    assert _value(page, "criteria-0-name") == gettext("Price")
    assert _value(page, "criteria-TOTAL_FORMS") == "4"
    assert _value(page, "exclusions-TOTAL_FORMS") == "2"
    assert all(button.has_attr("hidden") for button in page.select("[data-formset-add]"))
    # The picker lists the active agencies by credit code and name.
    options = [option["value"] for option in page.select("datalist#exclusion-agencies option")]
    assert sorted(options) == sorted(agency_pick_value(agency) for agency in market.agencies)
    assert page.select_one("#id_exclusions-0-agency")["list"] == "exclusion-agencies"


def test_deadline_kept_in_beijing_time_when_a_draft_is_edited(owner_client, market):
    draft = market.draft(quote_deadline=DEADLINE)
    page = _page(owner_client.get(_url("request_edit", draft)))
    assert _value(page, "quote_deadline") == (DEADLINE + datetime.timedelta(hours=8)).strftime(
        "%Y-%m-%dT%H:%M"
    )
