"""Editors work through the moderation workflow (cms/migrations/0005): an editor writes a
news page and submits it; only a reviewer's approval puts it live; an editor cannot publish."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageLogEntry, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from accounts.models import Role
from cms.models import HomePage, NewsIndexPage, NewsPage
from tests.accounts.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EDITORS = "网站编辑"
REVIEWERS = "网站审核"


def _staff(group: str):
    # The site's web editors work for the approval bureau, a regulator, as in the demo.
    user = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def news_index():
    home = HomePage.objects.get()
    index = NewsIndexPage(title="新闻动态", slug="news")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _news_form(slug: str, action: str) -> dict:
    return nested_form_data(
        {
            "title": "平台上线",
            "slug": slug,
            "date": datetime.date(2026, 12, 1).isoformat(),
            "summary": "上线运行",
            "body": rich_text("<p>正文</p>"),
            "comments": inline_formset([]),
            action: "1",
        }
    )


def _add(client, news_index, slug: str, action: str):
    url = reverse("wagtailadmin_pages:add", args=("cms", "newspage", news_index.pk))
    return client.post(url, _news_form(slug, action))


def test_the_home_page_carries_the_review_workflow():
    workflow = HomePage.objects.get().get_workflow()
    assert workflow is not None and workflow.active
    (task,) = [task.specific for task in workflow.tasks]
    assert list(task.groups.values_list("name", flat=True)) == [REVIEWERS]


def test_editor_submits_and_reviewer_approves(client, news_index):
    editor, reviewer = _staff(EDITORS), _staff(REVIEWERS)

    client.force_login(editor)
    response = _add(client, news_index, "online", "action-submit")
    assert response.status_code == 302
    page = NewsPage.objects.get(slug="online")
    assert not page.live
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert client.get(page.url).status_code == 404  # not on the site yet

    client.force_login(reviewer)
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "approve", state.current_task_state.pk),
    )
    assert client.post(url, {"comment": ""}).status_code in (200, 302)

    page.refresh_from_db()
    assert page.live
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert client.get(page.url).status_code == 200
    # The history records who submitted and who approved.
    actions = set(PageLogEntry.objects.filter(page=page).values_list("action", "user"))
    assert ("wagtail.workflow.start", editor.pk) in actions
    assert ("wagtail.publish", reviewer.pk) in actions


def test_editor_cannot_publish_directly(client, news_index):
    client.force_login(_staff(EDITORS))
    _add(client, news_index, "direct", "action-publish")
    page = NewsPage.objects.get(slug="direct")
    assert not page.live
    assert not page.permissions_for_user(_staff(EDITORS)).can_publish()


def test_reviewer_may_publish(news_index):
    page = NewsPage(title="通知", slug="notice", date=datetime.date(2026, 12, 1))
    news_index.add_child(instance=page)
    assert page.permissions_for_user(_staff(REVIEWERS)).can_publish()


def test_a_user_outside_the_groups_may_not_edit_pages(client, news_index, regulator_user):
    client.force_login(regulator_user)
    response = _add(client, news_index, "nope", "action-submit")
    assert response.status_code in (302, 403)
    assert not NewsPage.objects.filter(slug="nope").exists()
