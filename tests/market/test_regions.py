"""R8 finding 7: regions are data, and "special or major" is the approval department's word.

An assessment made for a park covers every zone inside it, whatever the owner would have
typed; a project is special or major only once its approval department confirms it."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Role
from catalogue.models import RegionalAssessmentKind
from core.models import Region
from core.services import region_add, region_delete, region_update
from market.models import Project, ProjectClassification, PurchaseRequest, RegionalAssessment
from market.selectors import regional_assessment_covering
from market.services.projects import (
    project_classification_decide,
    project_classification_request,
    project_create,
)
from market.services.requests import purchase_request_publish
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.core.factories import RegionFactory
from tests.market.scenario import NOW, Market
from tests.refusals import refused

pytestmark = pytest.mark.django_db
Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tree():
    """彭山区 › 彭山经济开发区 › 青龙工业园, and a town beside the park."""
    district = RegionFactory(name="彭山区")
    park = RegionFactory(name="彭山经济开发区", kind=Region.Kind.PARK, parent=district)
    zone = RegionFactory(name="青龙工业园", kind=Region.Kind.ZONE, parent=park)
    town = RegionFactory(name="凤鸣街道", kind=Region.Kind.TOWN, parent=district)
    return {"district": district, "park": park, "zone": zone, "town": town}


@pytest.fixture
def market(tree):
    market = Market(regional_assessment_kind=RegionalAssessmentKind.ENVIRONMENTAL_IMPACT)
    market.department = UserFactory(organisation=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))
    market.project.approval_department = market.department.organisation
    market.project.save()
    return market


def _assess(*areas) -> RegionalAssessment:
    assessment = RegionalAssessment.objects.create(
        title="彭山经济开发区区域环评",
        kinds=[RegionalAssessmentKind.ENVIRONMENTAL_IMPACT],
        valid_from=NOW.date() - datetime.timedelta(days=30),
        valid_to=NOW.date() + datetime.timedelta(days=365),
    )
    assessment.areas.set(areas)
    return assessment


def _move_project(market, region) -> None:
    market.project.region = region
    market.project.save(update_fields=["region"])


def _covering(market, region):
    _move_project(market, region)
    purchase_request = market.draft()
    return regional_assessment_covering(purchase_request=purchase_request, on=NOW.date())


@pytest.mark.parametrize(
    ("project_in", "covered"),
    [("park", True), ("zone", True), ("district", False), ("town", False)],
)
def test_r8_an_assessment_of_a_park_covers_every_area_inside_it_and_nothing_around_it(
    market, tree, project_in, covered
):
    assessment = _assess(tree["park"])
    assert _covering(market, tree[project_in]) == (assessment if covered else None)


def test_r8_a_project_in_a_zone_of_an_assessed_park_cannot_publish(market, tree):
    # The finding: "青龙工业园" escaped an assessment made for the park it lies in.
    _assess(tree["park"])
    _move_project(market, tree["zone"])
    purchase_request = market.draft()
    with refused("covered_by_regional_assessment") as caught:
        purchase_request_publish(actor=market.owner, purchase_request=purchase_request)
    assert "青龙工业园" in caught.value.message
    assert PurchaseRequest.objects.get(pk=purchase_request.pk).status == Status.DRAFT


def test_r8_an_owner_cannot_name_a_region_as_free_text(client, market, tree):
    client.force_login(market.owner)
    response = client.post(
        reverse("owner:project_new"),
        {
            "name": "新项目",
            "investment_code": "2026-511403-30-01-000999",
            "region": "彭山区青龙工业园区",
            "funding": Project.Funding.SOCIAL,
        },
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Project.objects.filter(investment_code="2026-511403-30-01-000999").exists()
    # The choices are the tree, indented by depth.
    labels = [label for _, label in response.context["form"].fields["region"].choices][1:]
    assert labels[:3] == ["彭山区", "\u3000彭山经济开发区", "\u3000\u3000青龙工业园"]


def test_r8_an_owner_asking_to_be_special_or_major_stays_covered_until_the_department_confirms(
    client, market, tree
):
    _assess(tree["park"])
    client.force_login(market.owner)
    response = client.post(
        reverse("owner:project_new"),
        {
            "name": "锂电池负极材料项目",
            "investment_code": "2026-511403-26-03-000401",
            "region": tree["zone"].pk,
            "funding": Project.Funding.SOCIAL,
            "approval_department": market.department.organisation.pk,
            "special_or_major_reason": "列入省重点项目",
            # A tick the old form had; the owner's word no longer sets anything.
            "is_special_or_major": "on",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(investment_code="2026-511403-26-03-000401")
    assert project.is_special_or_major is False
    classification = project.classifications.get()
    assert classification.status == ProjectClassification.Status.PENDING
    assert classification.department == market.department.organisation

    market.project = project
    purchase_request = market.draft()
    with refused("covered_by_regional_assessment"):
        purchase_request_publish(actor=market.owner, purchase_request=purchase_request)

    # The department answers on its page; then the project buys the service.
    client.force_login(market.department)
    listing = client.get(reverse("department:classifications")).content.decode()
    assert "锂电池负极材料项目" in listing
    response = client.post(
        reverse("department:classification_decide", args=[classification.pk]),
        {"confirmed": "yes", "note": "经核实属省重点项目"},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).is_special_or_major is True
    published = purchase_request_publish(actor=market.owner, purchase_request=purchase_request)
    assert published.status == Status.QUOTING


def test_r8_only_the_department_asked_may_classify_a_project(market):
    classification = project_classification_request(
        actor=market.owner, project=market.project, reason="重大工程"
    )
    other_department = UserFactory(organisation=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    for actor in (market.owner, other_department, regulator):
        with refused("not_classifying_department"):
            project_classification_decide(
                actor=actor, classification=classification, confirmed=True, note=""
            )
    assert Project.objects.get(pk=market.project.pk).is_special_or_major is False
    assert ProjectClassification.objects.get().status == ProjectClassification.Status.PENDING


def test_r8_another_department_cannot_open_the_request(client, market):
    classification = project_classification_request(
        actor=market.owner, project=market.project, reason="重大工程"
    )
    other_department = UserFactory(organisation=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))
    client.force_login(other_department)
    url = reverse("department:classification_decide", args=[classification.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirmed": "yes", "note": ""}).status_code == 404
    assert list(client.get(reverse("department:classifications")).context["page"]) == []
    client.force_login(market.owner)
    assert client.get(reverse("department:classifications")).status_code == 403


def test_r8_a_refusal_is_explained_answered_once_and_may_be_asked_again(market):
    classification = project_classification_request(
        actor=market.owner, project=market.project, reason="重大工程"
    )
    with refused("classification_pending"):
        project_classification_request(actor=market.owner, project=market.project, reason="再问")
    with refused("note_required"):
        project_classification_decide(
            actor=market.department, classification=classification, confirmed=False, note=" "
        )
    project_classification_decide(
        actor=market.department,
        classification=classification,
        confirmed=False,
        note="投资规模未达到重大工程标准",
    )
    with refused("already_decided"):
        project_classification_decide(
            actor=market.department, classification=classification, confirmed=True, note=""
        )
    assert Project.objects.get(pk=market.project.pk).is_special_or_major is False
    again = project_classification_request(
        actor=market.owner, project=market.project, reason="补充材料：列入省重点项目"
    )
    assert again.status == ProjectClassification.Status.PENDING


def test_r8_a_classification_needs_a_department_and_a_reason(market, tree):
    with refused("invalid") as caught:
        project_create(
            actor=market.owner,
            name="项目",
            investment_code="2026-1",
            region=tree["zone"],
            funding=Project.Funding.SOCIAL,
            special_or_major_reason="重大工程",
        )
    assert "approval_department" in caught.value.extra
    assert not Project.objects.filter(investment_code="2026-1").exists()
    with refused("reason_required"):
        project_classification_request(actor=market.owner, project=market.project, reason="")


# Keeping the tree -----------------------------------------------------------------------------


def test_regulators_move_an_area_with_everything_inside_it(regulator_user, tree, market):
    assessment = _assess(tree["park"])
    other = region_add(actor=regulator_user, name="眉山天府新区", kind="district", parent=None)
    region_update(
        actor=regulator_user,
        region=tree["park"],
        name="彭山经济开发区",
        kind=Region.Kind.PARK,
        parent=other,
    )
    zone = Region.objects.get(pk=tree["zone"].pk)
    assert zone.get_parent().get_parent() == other
    # The assessment still covers the zone, now under its new district.
    assert _covering(market, zone) == assessment


def test_an_area_cannot_move_inside_itself_nor_go_while_in_use(regulator_user, tree, market):
    with refused("region_inside_itself"):
        region_update(
            actor=regulator_user,
            region=tree["park"],
            name="彭山经济开发区",
            kind=Region.Kind.PARK,
            parent=tree["zone"],
        )
    with refused("region_in_use"):
        region_delete(actor=regulator_user, region=tree["park"])  # holds a zone
    with refused("region_in_use"):
        region_delete(actor=regulator_user, region=market.project.region)  # a project's
    region_delete(actor=regulator_user, region=tree["town"])
    assert not Region.objects.filter(pk=tree["town"].pk).exists()
    with refused("not_region_keeper"):
        region_add(actor=market.owner, name="自封园区", kind="park", parent=None)


def test_regulators_keep_the_tree_in_the_back_office(client, regulator_user, tree):
    client.force_login(regulator_user)
    response = client.post(
        "/admin/regions/new/",
        {"name": "观音片区", "kind": Region.Kind.ZONE, "code": "", "parent": tree["park"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Region.objects.get(name="观音片区").get_parent() == tree["park"]
    response = client.post(
        f"/admin/regions/edit/{tree['park'].pk}/",
        {"name": "彭山经济开发区", "kind": Region.Kind.PARK, "code": "", "parent": tree["zone"].pk},
    )
    assert response.status_code == 200
    with translation.override(settings.LANGUAGE_CODE):
        inside_itself = gettext("An area cannot be moved into itself or into an area inside it.")
    assert response.context["form"].errors["parent"] == [inside_itself]
    assert Region.objects.get(pk=tree["park"].pk).get_parent() == tree["district"]
    listing = client.get("/admin/regions/").content.decode()
    assert listing.index("彭山区") < listing.index("彭山经济开发区") < listing.index("青龙工业园")
