"""Issue 9, finding 1: every upload was public at a guessable /media/ address. Files are now
stored under random names in a storage no URL points at, and served only by views that ask
the permission layer; to everyone else they do not exist (404)."""

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from agencies.models import Qualification
from market.models import Quote
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import PDF_BYTES, QualificationFactory, pdf_upload
from tests.market.scenario import NOW, Market, close_and_draw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_finding_1_an_uploaded_file_is_stored_under_a_random_name_nowhere_public():
    market = Market()
    purchase_request = market.published()
    quote = market.quote(purchase_request, 0, "90000", proposal=pdf_upload("报价90000元.pdf"))
    assert "90000" not in quote.proposal.name and "报价" not in quote.proposal.name
    assert quote.proposal.name.startswith("market/proposals/")
    with pytest.raises(ValueError):
        quote.proposal.url  # noqa: B018 — the private storage has no public address


def test_finding_1_a_proposal_before_opening_is_its_agencys_alone(client, _clock):
    market = Market()
    purchase_request = market.published()
    quote = market.quote(purchase_request, 0, "90000", proposal=pdf_upload())
    for index in (1, 2):
        market.quote(purchase_request, index, str(91000 + index))
    url = reverse("market:proposal", args=[quote.pk])

    # Anonymous, another agency, the owner, a regulator: none of them, before opening.
    regulator = UserFactory(organisation=OrganisationFactory(kind="regulator"))
    assert client.get(url).status_code == 404
    for outsider in (market.admins[1], market.owner, regulator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider

    # The agency itself downloads it, as an attachment that no cache keeps.
    client.force_login(market.admins[0])
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    page = client.get(reverse("agency:quote", args=[purchase_request.number]))
    assert url in page.content.decode()

    # Once the quotes are opened, the owner and regulators may read it; other agencies not.
    close_and_draw(_clock, purchase_request)
    quote = Quote.objects.get(pk=quote.pk)
    assert quote.purchase_request.opened_at is not None
    for reader in (market.owner, regulator):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader
    client.force_login(market.admins[1])
    assert client.get(url).status_code == 404


def test_finding_1_licences_and_certificate_scans_are_for_the_agency_and_regulators(client):
    certificate = QualificationFactory(scan=pdf_upload())
    agency = certificate.agency
    agency.business_licence = pdf_upload("营业执照.pdf")
    agency.save()
    member = UserFactory(organisation=agency.organisation)
    other_agency = QualificationFactory().agency
    other = UserFactory(organisation=other_agency.organisation)
    regulator = UserFactory(organisation=OrganisationFactory(kind="regulator"))
    owner = UserFactory(organisation=OrganisationFactory(kind="project_owner"))
    urls = [
        reverse("agencies:licence", args=[agency.pk]),
        reverse("agencies:certificate_scan", args=[certificate.pk]),
    ]
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 404
        for outsider in (other, owner):
            client.force_login(outsider)
            assert client.get(url).status_code == 404
        for reader in (member, regulator):
            client.force_login(reader)
            assert client.get(url).status_code == 200


def test_finding_1_public_scans_are_one_setting_and_only_for_verified_certificates(client):
    verified = QualificationFactory(scan=pdf_upload())
    pending = QualificationFactory(scan=pdf_upload(), status=Qualification.Status.PENDING)
    verified_url = reverse("agencies:certificate_scan", args=[verified.pk])
    pending_url = reverse("agencies:certificate_scan", args=[pending.pk])
    assert client.get(verified_url).status_code == 404
    with override_settings(PUBLIC_CERTIFICATE_SCANS=True):
        assert client.get(verified_url).status_code == 200
        assert client.get(pending_url).status_code == 404


def test_finding_1_media_urls_serve_nothing_uploaded(client):
    market = Market()
    purchase_request = market.published()
    quote = market.quote(purchase_request, 0, "90000", proposal=pdf_upload())
    assert client.get(f"/media/{quote.proposal.name}").status_code == 404


@pytest.mark.parametrize(
    ("backend", "streams"),
    [("django_sendfile.backends.simple", True), ("django_sendfile.backends.nginx", False)],
)
def test_finding_1_files_on_disk_are_streamed_in_the_demo_and_handed_to_the_proxy_in_production(
    client, tmp_path, backend, streams
):
    from django_sendfile.utils import _get_sendfile

    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "private": {
            "BACKEND": "core.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        STORAGES=storages,
        SENDFILE_BACKEND=backend,
        SENDFILE_ROOT=str(tmp_path),
        SENDFILE_URL="/protected",
    ):
        _get_sendfile.cache_clear()
        try:
            certificate = QualificationFactory(scan=pdf_upload())
            assert (tmp_path / certificate.scan.name).read_bytes() == PDF_BYTES
            client.force_login(UserFactory(organisation=certificate.agency.organisation))
            response = client.get(reverse("agencies:certificate_scan", args=[certificate.pk]))
        finally:
            _get_sendfile.cache_clear()
    assert response.status_code == 200
    if streams:
        assert _body(response) == PDF_BYTES
    else:
        assert response["X-Accel-Redirect"] == f"/protected/{certificate.scan.name}"
        assert response.content == b""
