"""A contract from the confirmed award to both signatures (R5, R10): made from the approved
model contract with the award's facts, drawn as a PDF, signed in the model contract's order by
each party's administrator after entering the password again — tried as the party who gains
from getting round each step would try. Signatures are dated by the local TSA on 127.0.0.1."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from contracts.models import Contract, ContractSignature, ContractTemplateVersion
from contracts.services.lifecycle import (
    contract_amend,
    contract_close,
    contract_create,
    contract_render,
    contract_sign,
    contract_terminate,
    contracts_sweep,
)
from contracts.signing import pdf_signatures
from core.models import LogEntry
from core.status import status_move
from market.models import PurchaseRequest
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory
from tests.agencies.factories import AgencyFactory
from tests.contracts.factories import (
    ContractTemplateVersionFactory,
    admin_of,
    confirmed_award,
    signed_contract,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db

Status = Contract.Status


@pytest.fixture
def drawn():
    """A contract made and drawn, waiting for the agency's signature."""
    contract = contract_create(purchase_request=confirmed_award())
    contract_render(version=contract.versions.get())
    contract.refresh_from_db()
    return contract


def sign(contract, party, user, password=TEST_PASSWORD, code=""):
    return contract_sign(actor=user, contract=contract, party=party, password=password, code=code)


def test_r5_the_contract_is_made_from_the_model_contract_with_the_awards_facts():
    request = confirmed_award(
        agency__organisation__name="四川示例工程咨询有限公司",
        project__owner__name="眉山市彭山区示例建设有限公司",
    )

    contract = contract_create(purchase_request=request)

    year = timezone.localdate().year
    assert contract.number == f"ZJHT-{year}-0001"
    assert contract.status == Status.GENERATING
    # The winner's opened quote, not anything typed by a party.
    assert (contract.fee, contract.time_limit_days) == (Decimal("86000.00"), 15)
    assert contract.statutory_time_limit_days == 30
    assert contract.agency == request.winner and contract.owner == request.project.owner
    text = contract.versions.get().text
    assert "甲方：眉山市彭山区示例建设有限公司　乙方：四川示例工程咨询有限公司" in text
    assert "服务费人民币86000.00元" in text and "15个工作日内交付成果" in text
    assert contract.milestones.get().due_workday == 15
    # Asked again (a task run twice), it is the same contract.
    assert contract_create(purchase_request=request) == contract
    assert Contract.objects.count() == 1


def test_r5_no_contract_before_the_award_is_confirmed_or_without_an_approved_model():
    request = confirmed_award()
    request.status = PurchaseRequest.Status.AWARDED
    request.save()
    with refused("award_not_confirmed"):
        contract_create(purchase_request=request)

    without = confirmed_award(template=False)
    ContractTemplateVersionFactory(
        template__service_item=without.service_item,
        status=ContractTemplateVersion.Status.SUBMITTED,
    )
    with refused("no_model_contract"):
        contract_create(purchase_request=without)
    assert not Contract.objects.exists()


def test_r5_the_sweep_makes_the_contract_once_the_department_approves_a_model():
    request = confirmed_award(template=False)

    assert contracts_sweep()["made"] == 0
    ContractTemplateVersionFactory(template__service_item=request.service_item)
    assert contracts_sweep()["made"] == 1
    assert contracts_sweep()["made"] == 0
    assert request.contract.status == Status.GENERATING


def test_a_confirmed_award_makes_its_contract_and_pdf_in_the_background(
    django_capture_on_commit_callbacks,
):
    request = confirmed_award()
    request.status = PurchaseRequest.Status.AWARDED
    request.save()

    with django_capture_on_commit_callbacks(execute=True):
        status_move(request, PurchaseRequest.Status.CONFIRMED)

    contract = Contract.objects.get(purchase_request=request)
    version = contract.versions.get()
    assert contract.status == Status.AWAITING_AGENCY
    with version.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == version.pdf_sha256


def test_drawing_twice_stores_one_file(drawn):
    version = drawn.versions.get()
    name, digest = version.pdf.name, version.pdf_sha256

    again = contract_render(version=version)

    assert (again.pdf.name, again.pdf_sha256) == (name, digest)


def test_r5_the_owner_signs_first_when_the_model_contract_says_so():
    contract = contract_create(purchase_request=confirmed_award(signing_order="owner_first"))
    contract_render(version=contract.versions.get())
    contract.refresh_from_db()

    assert contract.status == Status.AWAITING_OWNER
    with refused("not_your_turn"):
        sign(contract, "agency", admin_of(contract.agency.organisation))


def test_r5_both_sign_in_turn_and_the_contract_comes_into_force(drawn):
    agency_admin = admin_of(drawn.agency.organisation)
    owner_admin = admin_of(drawn.owner)

    sign(drawn, "agency", agency_admin)
    drawn.refresh_from_db()
    assert drawn.status == Status.AWAITING_OWNER
    sign(drawn, "owner", owner_admin)

    drawn.refresh_from_db()
    assert drawn.status == Status.IN_FORCE and drawn.in_force_at is not None
    assert drawn.purchase_request.status == PurchaseRequest.Status.CONTRACTED
    version = drawn.versions.get()
    assert version.in_force_at is not None
    with version.pdf.open("rb") as handle:
        pdf = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    reports = pdf_signatures(pdf)
    assert [report.signer_name for report in reports] == [
        drawn.agency.organisation.name,
        drawn.owner.name,
    ]
    assert all(r.intact and r.valid and r.trusted and r.timestamped for r in reports)
    assert not any(report.tampered for report in reports)
    # Each revision the platform made is on record: the verifier recognises any of them.
    signatures = list(ContractSignature.objects.filter(version=version))
    assert [s.party for s in signatures] == ["agency", "owner"]
    assert signatures[-1].pdf_sha256 == version.pdf_sha256
    assert [s.signed_by for s in signatures] == [agency_admin, owner_admin]
    entry = LogEntry.objects.get(kind="contract")
    assert entry.subject == drawn.purchase_request.number
    assert f'"contract":"{drawn.number}"' in entry.body
    assert f'"pdf_sha256":"{version.pdf_sha256}"' in entry.body


def test_r5_an_agency_cannot_sign_twice_nor_the_owner_before_it(drawn):
    agency_admin = admin_of(drawn.agency.organisation)

    with refused("not_your_turn"):
        sign(drawn, "owner", admin_of(drawn.owner))
    sign(drawn, "agency", agency_admin)
    with refused("already_signed"):
        sign(drawn, "agency", agency_admin)
    assert ContractSignature.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("another_agency", "not_agency_admin"),
        ("agency_member", "not_agency_admin"),
        ("owner_admin", "not_agency_admin"),
        ("department", "not_agency_admin"),
    ],
)
def test_r5_only_the_agencys_administrator_signs_for_it(drawn, who, code):
    user = {
        "another_agency": lambda: admin_of(AgencyFactory().organisation),
        "agency_member": lambda: admin_of(drawn.agency.organisation, is_organisation_admin=False),
        "owner_admin": lambda: admin_of(drawn.owner),
        "department": lambda: admin_of(OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)),
    }[who]()

    with refused(code):
        sign(drawn, "agency", user)
    assert not ContractSignature.objects.exists()


def test_r5_another_owner_cannot_sign_for_the_project_owner(drawn):
    sign(drawn, "agency", admin_of(drawn.agency.organisation))

    with refused("not_owner_admin"):
        sign(drawn, "owner", admin_of(OrganisationFactory(kind=Role.PROJECT_OWNER)))
    with refused("not_owner_admin"):
        sign(drawn, "owner", admin_of(drawn.owner, is_organisation_admin=False))


def test_a_signature_needs_the_password_again_and_the_authenticators_code(drawn):
    user = admin_of(drawn.agency.organisation)

    with refused("reauthentication_failed") as caught:
        sign(drawn, "agency", user, password="not-the-password")
    assert list(caught.value.extra) == ["password"]

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with refused("reauthentication_failed") as caught:
        sign(drawn, "agency", user, code="000000")
    assert list(caught.value.extra) == ["code"]
    assert not ContractSignature.objects.exists()

    from django_otp.oath import totp

    # TOTPDevice makes a user wait longer after each wrong code; this one waited.
    device.refresh_from_db()
    device.throttle_reset()
    sign(drawn, "agency", user, code=f"{totp(device.bin_key):06d}")
    assert ContractSignature.objects.count() == 1


def test_guessing_the_password_is_stopped_after_five_tries(drawn):
    user = admin_of(drawn.agency.organisation)
    for _attempt in range(5):
        with refused("reauthentication_failed"):
            sign(drawn, "agency", user, password="guess")

    with refused("too_many_attempts"):
        sign(drawn, "agency", user)


def test_a_file_changed_on_the_disk_is_never_signed(drawn):
    version = drawn.versions.get()
    storage, name = version.pdf.storage, version.pdf.name
    with storage.open(name, "rb") as handle:
        data = bytearray(handle.read())
    data[len(data) // 2] ^= 0x01  # one bit of one byte, as a careless or malicious hand would
    storage.delete(name)
    assert storage.save(name, ContentFile(bytes(data))) == name

    with refused("document_changed"):
        sign(drawn, "agency", admin_of(drawn.agency.organisation))
    assert not ContractSignature.objects.exists()


def test_nothing_to_sign_while_the_pdf_is_drawn():
    contract = contract_create(purchase_request=confirmed_award())

    with refused("nothing_to_sign"):
        sign(contract, "agency", admin_of(contract.agency.organisation))


def test_an_amendment_is_a_new_version_signed_by_both_while_the_first_stands():
    contract = signed_contract()
    agency_admin = admin_of(contract.agency.organisation)
    new_text = contract.versions.get().text.replace("15个工作日", "20个工作日")

    version = contract_amend(
        actor=agency_admin, contract=contract, text=new_text, reason="业主增加了工作范围"
    )
    contract_render(version=version)

    assert version.number == 2
    with refused("amendment_pending"):
        contract_amend(actor=agency_admin, contract=contract, text="另一版本", reason="再改")
    sign(contract, "agency", agency_admin)
    contract.refresh_from_db()
    # The contract keeps running on version 1 while version 2 waits for the owner.
    assert contract.status == Status.IN_FORCE
    assert contract.versions.get(number=2).in_force_at is None
    sign(contract, "owner", admin_of(contract.owner))
    version.refresh_from_db()
    assert version.in_force_at is not None
    with version.pdf.open("rb") as handle:
        reports = pdf_signatures(handle.read())
    assert [r.field_name for r in reports] == ["agency-v2", "owner-v2"]


def test_an_amendment_needs_a_party_a_reason_and_a_change():
    contract = signed_contract()
    owner_admin = admin_of(contract.owner)
    text = contract.versions.get().text

    with refused("not_contract_party"):
        contract_amend(
            actor=admin_of(OrganisationFactory(kind=Role.REGULATOR)),
            contract=contract,
            text=text + "补充条款",
            reason="x",
        )
    with refused("amendment_incomplete") as caught:
        contract_amend(actor=owner_admin, contract=contract, text="", reason=" ")
    assert set(caught.value.extra) == {"text", "reason"}
    with refused("amendment_unchanged"):
        contract_amend(actor=owner_admin, contract=contract, text=text, reason="无变化")
    assert contract.versions.count() == 1


def test_r5_the_agency_cannot_end_the_contract_alone_and_a_reason_is_kept(drawn):
    with refused("not_owner_admin"):
        contract_terminate(
            actor=admin_of(drawn.agency.organisation), contract=drawn, reason="不想做了"
        )
    owner_admin = admin_of(drawn.owner)
    with refused("reason_required"):
        contract_terminate(actor=owner_admin, contract=drawn, reason="  ")

    contract_terminate(actor=owner_admin, contract=drawn, reason="双方协商一致解除")

    drawn.refresh_from_db()
    assert drawn.status == Status.TERMINATED
    assert drawn.termination_reason == "双方协商一致解除"
    with refused("contract_ended"):
        sign(drawn, "agency", admin_of(drawn.agency.organisation))
    with refused("status_move_not_allowed"):
        contract_terminate(actor=owner_admin, contract=drawn, reason="再次解除")


def test_each_party_is_told_when_its_signature_is_awaited_and_both_when_in_force(
    mailoutbox, django_capture_on_commit_callbacks
):
    request = confirmed_award()
    agency_admin = admin_of(request.winner.organisation)
    owner_admin = admin_of(request.project.owner)
    with django_capture_on_commit_callbacks(execute=True):
        contract = contract_create(purchase_request=request)
    assert [m.to for m in mailoutbox] == [[agency_admin.email]]
    assert contract.number in mailoutbox[0].subject
    assert f"/my/contracts/{contract.number}/" in mailoutbox[0].body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign(contract, "agency", agency_admin)
    assert [m.to for m in mailoutbox] == [[owner_admin.email]]

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign(contract, "owner", owner_admin)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner_admin.email, agency_admin.email])


def test_the_owner_closes_an_accepted_contract_and_only_then():
    from tests.contracts.factories import ContractFactory

    contract = ContractFactory()
    owner_admin = admin_of(contract.owner)
    with refused("status_move_not_allowed"):
        contract_close(actor=owner_admin, contract=contract)
    contract.status = Status.ACCEPTED
    contract.save()
    with refused("not_owner_admin"):
        contract_close(actor=admin_of(contract.agency.organisation), contract=contract)

    contract_close(actor=owner_admin, contract=contract)

    contract.refresh_from_db()
    assert contract.status == Status.CLOSED


def test_a_rendering_lost_mid_way_is_finished_by_the_sweep(django_capture_on_commit_callbacks):
    # The render task never ran (a worker killed mid-render): the contract stays generating.
    contract = contract_create(purchase_request=confirmed_award())
    version = contract.versions.get()
    assert version.is_generating

    # Not yet: a rendering queued a moment ago may still be on its way.
    assert contracts_sweep()["requeued"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        result = contracts_sweep(now=timezone.now() + datetime.timedelta(minutes=3))

    assert result["requeued"] == 1
    version.refresh_from_db()
    contract.refresh_from_db()
    assert not version.is_generating and contract.status == Status.AWAITING_AGENCY


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r5_concurrent_signatures_of_one_party_store_one():
    from tests.concurrency import at_once
    from tests.contracts.factories import drawn_contract

    contract = drawn_contract()
    agency_admin = admin_of(contract.agency.organisation)

    results = at_once(*[lambda: sign(contract, "agency", agency_admin)] * 3)

    codes = sorted(r.code for r in results if not isinstance(r, Contract))
    assert len(codes) == 2 and set(codes) <= {"already_signed", "status_stale"}
    assert ContractSignature.objects.filter(version__contract=contract).count() == 1
    version = contract.versions.get()
    with version.pdf.open("rb") as handle:
        pdf = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    assert [r.signer_name for r in pdf_signatures(pdf)] == [contract.agency.organisation.name]
