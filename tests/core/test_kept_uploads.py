"""Uploads kept across a failed submission (core/kept_uploads.py): kept only when they pass
their checks, usable only by whoever sent them, and deleted after a day."""

import datetime
import re

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from core.files import private_storage
from core.kept_uploads import FOLDER
from core.tasks import kept_uploads_sweep
from credit.models import Complaint
from tests.agencies.factories import PDF_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_private_storage(settings):
    """An empty in-memory private storage for each test, so counting kept files is exact."""
    settings.STORAGES = {**settings.STORAGES}


EVIDENCE = PDF_BYTES + b"% the evidence\n"


def _kept_files() -> list[str]:
    try:
        return private_storage().listdir(FOLDER)[1]
    except FileNotFoundError:
        return []


def _token(page: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}__kept" value="([^"]+)"', page)
    return match.group(1) if match else None


def test_the_sweep_deletes_kept_files_older_than_a_day_and_keeps_newer_ones():
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(hours=25), tick=False):
        old = private_storage().save(f"{FOLDER}/old.pdf", ContentFile(PDF_BYTES))
    with time_machine.travel(now - datetime.timedelta(hours=23), tick=False):
        recent = private_storage().save(f"{FOLDER}/recent.pdf", ContentFile(PDF_BYTES))
    elsewhere = private_storage().save("licences/old-licence.pdf", ContentFile(PDF_BYTES))

    with time_machine.travel(now, tick=False):
        kept_uploads_sweep()

    assert not private_storage().exists(old)
    assert private_storage().exists(recent)
    # Only the kept files' folder is swept.
    assert private_storage().exists(elsewhere)


def test_a_complaints_evidence_is_kept_when_something_else_is_wrong(client):
    url = reverse("credit:complaint_new")
    data = {"category": "conduct", "content": "", "name": "李四", "contact": "13800138000"}

    page = client.post(url, {**data, "evidence": pdf_upload("照片.pdf", EVIDENCE)})

    assert page.status_code == 200
    assert not Complaint.objects.exists()
    token = _token(page.content.decode(), "evidence")
    assert token and "照片.pdf" in page.content.decode()

    response = client.post(
        url, {**data, "content": "工作人员暗示需要另外付费。", "evidence__kept": token}
    )

    assert response.status_code == 302
    with Complaint.objects.get().evidence.open("rb") as evidence:
        assert evidence.read() == EVIDENCE
    assert _kept_files() == []


def test_a_file_that_fails_its_check_is_not_kept(client):
    url = reverse("credit:complaint_new")
    page = client.post(
        url,
        {
            "category": "conduct",
            "content": "",
            "name": "李四",
            "contact": "13800138000",
            "evidence": pdf_upload("photo.pdf", b"\xff\xd8\xff\xe0 a JPEG named .pdf"),
        },
    ).content.decode()

    assert _token(page, "evidence") is None
    assert _kept_files() == []


def test_a_get_keeps_nothing_and_writes_no_session(client):
    response = client.get(reverse("credit:complaint_new"))

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert _kept_files() == []
