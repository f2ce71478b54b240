"""The project owner's pages under /my/requests/ (R1, R4, R6, R8): projects, purchase
requests and the owner's part in selection, driven through the views."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Role
from agencies.models import Agency
from catalogue.models import RegionalAssessmentKind
from market.models import (
    Objection,
    Project,
    PurchaseRequest,
    RegionalAssessment,
    SelectionMethod,
)
from market.verification import verify_request_draw
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.market.factories import ProjectFactory, PurchaseRequestFactory
from tests.market.scenario import NOW, sweeps_after_deadline
from tests.market.scenario import Market as ScenarioMarket
from tests.pages import queries_for

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status
DEADLINE_INPUT = "2026-11-05T17:00"  # what the owner types: Beijing time
DEADLINE = datetime.datetime(2026, 11, 5, 9, 0, tzinfo=datetime.UTC)
# Amounts that appear nowhere else on the pages, so finding one means a leak.
AMOUNTS = ["91234.56", "87654.32", "99887.77", "93456.78"]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def formset_data(prefix: str, rows) -> dict:
    """What a browser sends for a formset: each row's boxes and the count of rows."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


class Market(ScenarioMarket):
    """The shared test marketplace, plus what the owner types into the purchase_request form:
    `criteria` as (factor, weight) rows, `exclusions` as (agency as typed, reason) rows."""

    def form_data(self, *, criteria=(), exclusions=(), **changes) -> dict:
        return {
            "project": self.project.pk,
            "service_item": self.item.pk,
            "budget": "200000",
            "selection_method": SelectionMethod.RANDOM_DRAW,
            "quote_opens_at": "",
            "quote_deadline": DEADLINE_INPUT,
            "wanted_time_limit_days": "",
            "requirements_note": "",
            **formset_data("criteria", [{"name": n, "weight": w} for n, w in criteria]),
            **formset_data("exclusions", [{"agency": a, "reason": r} for a, r in exclusions]),
            **changes,
        }


def form_errors(response) -> set[str]:
    """The fields of the purchase request page that show an error; the factors' and the
    exclusions' rows count as "scoring_criteria" and "exclusions"."""
    entry = response.context["entry"]
    errors = set(entry.form.errors)
    for name, part in (("scoring_criteria", entry.criteria), ("exclusions", entry.exclusions)):
        if part.is_bound and (part.non_form_errors() or any(part.errors)):
            errors.add(name)
    return errors


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


def _past_deadline(clock, purchase_request):
    """The deadline passes and the scheduled task runs, then again once the draw's beacon
    round is out (pages never move a status)."""
    sweeps_after_deadline(clock, purchase_request)


def _fresh(purchase_request) -> PurchaseRequest:
    return PurchaseRequest.objects.get(pk=purchase_request.pk)


# --- the whole journey ------------------------------------------------------------------------


def test_a_full_owner_journey_through_the_pages(client, market, _clock):
    client.force_login(market.owner)

    # Given a project registered through its page,
    response = client.post(
        reverse("owner:project_new"),
        {
            "name": "彭山区新材料产业园标准厂房",
            "investment_code": "2026-511403-30-01-000777",
            "region": market.project.region.pk,
            "funding": Project.Funding.STATE,
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(investment_code="2026-511403-30-01-000777")
    assert project.owner == market.owner.organisation
    listing = client.get(_url("projects")).content.decode()
    assert project.name in listing and f"?project={project.pk}" in listing

    # when a request is drafted for it, the form offers no direct selection (state-funded),
    page = client.get(_url("request_new"), {"project": project.pk})
    methods = [value for value, _label in page.context["form"].fields["selection_method"].choices]
    assert SelectionMethod.DIRECT not in methods
    response = client.post(
        _url("request_new"),
        market.form_data(project=project.pk, wanted_time_limit_days="20"),
    )
    purchase_request = PurchaseRequest.objects.get(project=project)
    assert response.status_code == 302 and response["Location"] == _url(
        "request_detail", purchase_request
    )
    assert purchase_request.status == Status.DRAFT
    assert purchase_request.quote_deadline == DEADLINE  # 17:00 typed, read as Beijing time

    # the draft page counts the agencies that may quote,
    detail = client.get(_url("request_detail", purchase_request))
    assert detail.context["eligible_count"] == 4
    assert not detail.context["may_self_prepare"] and detail.context["covering"] is None

    # and publishing goes through a confirmation page,
    assert client.get(_url("request_publish", purchase_request)).status_code == 200
    response = client.post(_url("request_publish", purchase_request))
    assert response.status_code == 302
    purchase_request = _fresh(purchase_request)
    assert purchase_request.status == Status.QUOTING and purchase_request.invitations.count() == 4

    # then three agencies quote, and the deadline passes with no scheduler running,
    for index in range(3):
        market.quote(purchase_request, index, AMOUNTS[index])
    _past_deadline(_clock, purchase_request)

    # the page itself closes, opens and draws: awarded, with the draw to re-check.
    page = client.get(_url("request_detail", purchase_request))
    purchase_request = _fresh(purchase_request)
    assert (
        purchase_request.status == Status.AWARDED and purchase_request.winner in market.agencies[:3]
    )
    html = page.content.decode()
    assert reverse("market:verify_draw", args=[purchase_request.number]) in html
    assert purchase_request.winner.organisation.name in html
    assert all(amount in html for amount in AMOUNTS[:3])  # opened now, so shown
    assert verify_request_draw(purchase_request).ok
    assert [event.to_status for event in page.context["events"]] == [
        "draft",
        "published",
        "quoting",
        "closed",
        "selecting",
        "awarded",
    ]

    # During the publicity period the owner may object; the award is held.
    response = client.post(
        _url("request_objection", purchase_request), {"text": "中选机构业绩材料存疑"}
    )
    assert response.status_code == 302
    assert Objection.objects.get(purchase_request=purchase_request).filed_by == market.owner
    assert client.get(_url("request_detail", purchase_request)).context["held"]

    # The list shows the request with its winner.
    listing = client.get(_url("requests")).content.decode()
    assert (
        purchase_request.number in listing and purchase_request.winner.organisation.name in listing
    )


# --- R6 and R8: is there anything to buy? ------------------------------------------------------


def test_r6_the_owner_is_told_it_may_prepare_the_material_itself(client):
    market = Market(owner_may_self_prepare=True)
    client.force_login(market.owner)
    purchase_request = market.draft()
    # The notice itself, as the page shows it (not "R6" alone, which a random CSRF token can
    # contain).
    with translation.override(settings.LANGUAGE_CODE):
        notice = gettext("This service may be prepared by the owner itself; you need not buy it.")
    page = client.get(_url("request_detail", purchase_request))
    assert page.context["may_self_prepare"] is True
    assert notice in page.content.decode()
    assert notice in client.get(_url("request_publish", purchase_request)).content.decode()

    other = Market()
    client.force_login(other.owner)
    page = client.get(_url("request_detail", other.draft()))
    assert page.context["may_self_prepare"] is False
    assert notice not in page.content.decode()


def test_r8_a_covering_regional_assessment_is_linked_and_publishing_is_refused(client):
    market = Market(regional_assessment_kind=RegionalAssessmentKind.ENVIRONMENTAL_IMPACT)
    assessment = RegionalAssessment.objects.create(
        title="彭山经济开发区区域环评",
        kinds=[RegionalAssessmentKind.ENVIRONMENTAL_IMPACT],
        valid_from=NOW.date() - datetime.timedelta(days=30),
        valid_to=NOW.date() + datetime.timedelta(days=365),
    )
    assessment.areas.set([market.project.region])
    link = reverse("market:regional_assessment", args=[assessment.pk])
    client.force_login(market.owner)
    purchase_request = market.draft()

    detail = client.get(_url("request_detail", purchase_request))
    assert detail.context["covering"] == assessment
    assert link in detail.content.decode()

    response = client.post(_url("request_publish", purchase_request))
    assert response.status_code == 200
    assert link in response.content.decode()
    assert assessment.title in response.content.decode()
    purchase_request = _fresh(purchase_request)
    assert purchase_request.status == Status.DRAFT
    assert not purchase_request.invitations.exists() and not purchase_request.draw_commitment
    assert list(purchase_request.status_events.values_list("to_status", flat=True)) == ["draft"]


# --- bad input --------------------------------------------------------------------------------


def test_terms_the_services_refuse_show_at_their_fields_and_save_nothing(owner_client, market):
    response = owner_client.post(
        _url("request_new"),
        market.form_data(
            budget="0",
            quote_deadline="2026-11-01T09:00",  # yesterday
            wanted_time_limit_days="31",  # the item's statutory limit is 30
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"budget", "quote_deadline", "wanted_time_limit_days"} <= set(errors)
    assert not PurchaseRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget": "a lot"}, "budget"),
        ({"quote_deadline": "next week"}, "quote_deadline"),
        ({"selection_method": SelectionMethod.DIRECT}, "selection_method"),  # state-funded
        (
            {"selection_method": SelectionMethod.SCORED, "criteria": [("质量 很重要", "")]},
            "scoring_criteria",
        ),
        (
            {"selection_method": SelectionMethod.SCORED, "criteria": [("质量", "100")]},
            "scoring_criteria",  # no price criterion: the service says so
        ),
        ({"exclusions": [("91511403MA0000000X", "关联单位")]}, "exclusions"),  # no such agency
        ({"exclusions": [("{code}", "")]}, "exclusions"),  # no reason given
        ({"exclusions": [("{code}", "关联"), ("{code}", "关联")]}, "exclusions"),  # listed twice
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(owner_client, market, changes, field):
    code = market.agencies[0].organisation.credit_code
    data = {
        key: [(a.replace("{code}", code), b) for a, b in value]
        if isinstance(value, list)
        else value
        for key, value in changes.items()
    }
    response = owner_client.post(_url("request_new"), market.form_data(**data))
    assert response.status_code == 200
    assert field in form_errors(response)
    assert not PurchaseRequest.objects.exists()


@pytest.mark.parametrize(
    ("opens_at", "message"),
    [
        # Found by Hypothesis: year 1 in Beijing has no UTC moment to store (was a 500).
        ("0001-01-01T00:00", "输入一个有效的日期/时间。"),
        ("2026-11-01T09:00", "报价开始时间不能早于现在；留空则发布时即开始报价。"),
    ],
)
def test_an_opening_time_that_cannot_be_or_is_past_is_refused_at_its_field(
    owner_client, market, opens_at, message
):
    response = owner_client.post(_url("request_new"), market.form_data(quote_opens_at=opens_at))
    assert response.status_code == 200
    assert response.context["form"].errors["quote_opens_at"] == [message]
    assert not PurchaseRequest.objects.exists()


def test_a_project_with_a_registered_code_is_refused_at_its_field(owner_client, market):
    response = owner_client.post(
        reverse("owner:project_new"),
        {
            "name": "重复项目",
            "investment_code": market.project.investment_code,
            "region": market.project.region.pk,
            "funding": Project.Funding.SOCIAL,
        },
    )
    assert response.status_code == 200
    assert "investment_code" in response.context["form"].errors
    assert Project.objects.count() == 1


def test_exclusions_are_saved_with_their_reasons(owner_client, market):
    excluded = market.agencies[0]
    owner_client.post(
        _url("request_new"),
        market.form_data(exclusions=[(excluded.organisation.credit_code.lower(), "关联单位")]),
    )
    purchase_request = PurchaseRequest.objects.get()
    assert list(purchase_request.exclusions.values_list("agency_id", "reason")) == [
        (excluded.pk, "关联单位")
    ]
    assert owner_client.get(_url("request_detail", purchase_request)).context["eligible_count"] == 3


# --- the owner's part in selection ------------------------------------------------------------


def test_direct_selection_on_a_social_funded_project_through_the_view(client, _clock):
    market = Market(funding=Project.Funding.SOCIAL)
    client.force_login(market.owner)
    page = client.get(_url("request_new"), {"project": market.project.pk})
    methods = [value for value, _label in page.context["form"].fields["selection_method"].choices]
    assert SelectionMethod.DIRECT in methods

    client.post(_url("request_new"), market.form_data(selection_method=SelectionMethod.DIRECT))
    purchase_request = PurchaseRequest.objects.get()
    assert purchase_request.selection_method == SelectionMethod.DIRECT
    client.post(_url("request_publish", purchase_request))
    quotes = [market.quote(_fresh(purchase_request), index, AMOUNTS[index]) for index in range(2)]
    _past_deadline(_clock, purchase_request)

    page = client.get(_url("request_detail", purchase_request))
    assert _fresh(purchase_request).status == Status.SELECTING
    assert set(page.context["choose_form"].fields["quote"].queryset) == set(quotes)

    response = client.post(_url("request_choose", purchase_request), {"quote": quotes[1].pk})
    assert response.status_code == 302
    purchase_request = _fresh(purchase_request)
    assert (
        purchase_request.status == Status.AWARDED and purchase_request.winner == market.agencies[1]
    )
    assert purchase_request.status_events.get(to_status=Status.AWARDED).actor == market.owner


def test_credit_merit_the_owner_chooses_only_from_the_drawn_short_list(
    owner_client, market, _clock
):
    purchase_request = market.published(selection_method=SelectionMethod.CREDIT_MERIT)
    quotes = [market.quote(purchase_request, index, AMOUNTS[index]) for index in range(4)]
    _past_deadline(_clock, purchase_request)
    page = owner_client.get(_url("request_detail", purchase_request))
    purchase_request = _fresh(purchase_request)
    assert purchase_request.status == Status.SELECTING
    shortlist = purchase_request.draw_record["result"]["shortlist"]
    assert len(shortlist) == 3
    on_list = [q for q in quotes if q.agency.organisation.credit_code in shortlist]
    off_list = next(q for q in quotes if q.agency.organisation.credit_code not in shortlist)
    assert set(page.context["choose_form"].fields["quote"].queryset) == set(on_list)

    # Someone off the short list cannot be chosen, whatever the form is sent,
    response = owner_client.post(_url("request_choose", purchase_request), {"quote": off_list.pk})
    assert response.status_code == 200
    assert "quote" in response.context["choose_form"].errors
    assert _fresh(purchase_request).status == Status.SELECTING

    # but anyone on it can.
    response = owner_client.post(_url("request_choose", purchase_request), {"quote": on_list[0].pk})
    assert response.status_code == 302
    purchase_request = _fresh(purchase_request)
    assert (
        purchase_request.status == Status.AWARDED and purchase_request.winner == on_list[0].agency
    )


def test_scored_evaluation_through_the_marks_form(owner_client, market, _clock):
    owner_client.post(
        _url("request_new"),
        market.form_data(
            selection_method=SelectionMethod.SCORED,
            criteria=[("价格", "40"), ("技术方案", "40"), ("服务承诺", "20")],
        ),
    )
    purchase_request = PurchaseRequest.objects.get()
    assert purchase_request.scoring_criteria == [
        {"name": "price", "weight": 40},
        {"name": "技术方案", "weight": 40},
        {"name": "服务承诺", "weight": 20},
    ]
    owner_client.post(_url("request_publish", purchase_request))
    quotes = [market.quote(_fresh(purchase_request), index, "100000") for index in range(3)]
    _past_deadline(_clock, purchase_request)
    form = owner_client.get(_url("request_detail", purchase_request)).context["scores_form"]
    assert form.criteria == ["技术方案", "服务承诺"]  # price is computed, not marked

    def marks(best, *, top="95"):
        return {
            form.field_name(quote, index): top if quote == best else "60"
            for quote in quotes
            for index in range(2)
        }

    # A mark above 100 is refused at its box and nothing is decided,
    response = owner_client.post(
        _url("request_scores", purchase_request), marks(quotes[2], top="101")
    )
    assert response.status_code == 200
    assert form.field_name(quotes[2], 0) in response.context["scores_form"].errors
    assert _fresh(purchase_request).status == Status.SELECTING

    # valid marks decide: equal prices, so the best marks win, and the draw verifies.
    response = owner_client.post(_url("request_scores", purchase_request), marks(quotes[2]))
    assert response.status_code == 302
    purchase_request = _fresh(purchase_request)
    assert (
        purchase_request.status == Status.AWARDED and purchase_request.winner == market.agencies[2]
    )
    assert verify_request_draw(purchase_request).ok


def test_cancel_needs_a_reason_and_is_confirmed(owner_client, market):
    purchase_request = market.published()
    assert owner_client.get(_url("request_cancel", purchase_request)).status_code == 200
    response = owner_client.post(_url("request_cancel", purchase_request), {"reason": "  "})
    assert "reason" in response.context["form"].errors
    assert _fresh(purchase_request).status == Status.QUOTING
    owner_client.post(_url("request_cancel", purchase_request), {"reason": "项目方案调整"})
    purchase_request = _fresh(purchase_request)
    assert (
        purchase_request.status == Status.CANCELLED
        and purchase_request.outcome_note == "项目方案调整"
    )


def test_a_failed_request_is_republished_with_a_new_deadline(owner_client, market, _clock):
    purchase_request = market.published()  # random draw on a state project: needs 3 quotes
    market.quote(purchase_request, 0, AMOUNTS[0])
    _past_deadline(_clock, purchase_request)
    detail = owner_client.get(_url("request_detail", purchase_request))
    assert _fresh(purchase_request).status == Status.FAILED
    assert _url("request_republish", purchase_request) in detail.content.decode()

    response = owner_client.post(
        _url("request_republish", purchase_request), {"quote_deadline": "2026-11-01T10:00"}
    )
    assert "quote_deadline" in response.context["form"].errors  # in the past by now

    response = owner_client.post(
        _url("request_republish", purchase_request), {"quote_deadline": "2026-11-20T17:00"}
    )
    copy = PurchaseRequest.objects.get(republished_from=purchase_request)
    assert response["Location"] == _url("request_detail", copy)
    assert copy.status == Status.QUOTING
    assert copy.quote_deadline == datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    assert (
        copy.number in owner_client.get(_url("request_detail", purchase_request)).content.decode()
    )


# --- who may see and act ----------------------------------------------------------------------


def test_r4_a_department_and_another_owner_cannot_open_or_act(client, market, approval_user):
    draft = market.draft()
    quoting = market.published()
    another_owner = UserFactory(organisation=OrganisationFactory(kind=Role.PROJECT_OWNER))
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))

    for user, refused in ((approval_user, 403), (regulator, 403), (another_owner, 404)):
        client.force_login(user)
        assert client.get(_url("request_detail", draft)).status_code == refused
        assert client.post(_url("request_publish", draft)).status_code == refused
        assert client.post(_url("request_cancel", quoting), {"reason": "x"}).status_code == refused
        assert client.post(_url("request_choose", quoting), {"quote": 1}).status_code == refused
        assert client.post(_url("request_objection", quoting), {"text": "x"}).status_code == refused
    assert _fresh(draft).status == Status.DRAFT
    assert _fresh(quoting).status == Status.QUOTING

    # A department has no owner pages at all; another owner sees only its own requests.
    client.force_login(approval_user)
    for name in ("requests", "projects", "project_new", "request_new"):
        assert client.get(_url(name)).status_code == 403
    assert client.post(_url("request_new"), market.form_data()).status_code == 403
    client.force_login(another_owner)
    assert draft.number not in client.get(_url("requests")).content.decode()
    response = client.post(_url("request_new"), market.form_data())
    assert "project" in response.context["form"].errors  # not its project
    assert PurchaseRequest.objects.count() == 2

    client.logout()
    assert client.get(_url("request_detail", draft)).status_code == 302  # to sign in


# --- lists and sealing ------------------------------------------------------------------------


def _listed_request(market, **fields) -> PurchaseRequest:
    return PurchaseRequestFactory(
        project=ProjectFactory(owner=market.owner.organisation),
        quote_deadline=DEADLINE,
        **fields,
    )


def test_the_request_and_project_lists_keep_a_constant_query_count(owner_client, market):
    _listed_request(market, status=Status.AWARDED, winner=market.agencies[0])
    requests = queries_for(owner_client, _url("requests"))
    projects = queries_for(owner_client, _url("projects"))
    for index in range(5):
        _listed_request(market, status=Status.AWARDED, winner=market.agencies[index % 4])
        _listed_request(market, status=Status.QUOTING)
    assert queries_for(owner_client, _url("requests")) == requests
    assert owner_client.get(_url("requests")).context["page"].paginator.count == 11
    assert queries_for(owner_client, _url("projects")) == projects
    # The eleven requests' projects and the scenario's own.
    assert owner_client.get(_url("projects")).context["page"].paginator.count == 12


def test_no_quote_amount_appears_on_any_owner_page_before_the_deadline(owner_client, market):
    purchase_request = market.published()
    draft = market.draft()
    for index, amount in enumerate(AMOUNTS):
        market.quote(purchase_request, index, amount)
    pages = [
        _url("requests"),
        _url("projects"),
        _url("request_new"),
        _url("request_detail", purchase_request),
        _url("request_cancel", purchase_request),
        _url("request_detail", draft),
        _url("request_publish", draft),
        reverse("cms:workspace"),
    ]
    for url in pages:
        html = owner_client.get(url).content.decode()
        for amount in AMOUNTS:
            whole = amount.split(".")[0]
            assert whole not in html and f"{whole[:2]},{whole[2:]}" not in html, url
    assert not owner_client.get(_url("request_detail", purchase_request)).context["quotes"]


def test_the_workspace_links_to_the_owner_pages(owner_client, market):
    purchase_request = market.draft()
    html = owner_client.get(reverse("cms:workspace")).content.decode()
    for url in (
        _url("project_new"),
        _url("request_new"),
        _url("request_detail", purchase_request),
        f"{_url('request_new')}?project={market.project.pk}",
    ):
        assert url in html
    assert Agency.objects.count() == 4
