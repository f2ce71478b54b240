"""Load the demo data through the same services the site uses. Safe to run again: what
exists already is left as it is."""

import base64
import contextlib
import datetime
import io
import logging
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Organisation, Role, User
from accounts.permissions import allowed
from accounts.services import organisation_create, user_create
from accounts.validators import credit_code_derive
from agencies.models import Affiliation, Agency, Qualification, StaffRegisterEntry
from agencies.services.affiliations import affiliation_record
from agencies.services.certificate_register import RegisterEntry, certificate_register_apply
from agencies.services.practitioners import practitioner_add
from agencies.services.qualifications import qualification_verify
from agencies.services.registration import CertificateInput, agency_register
from agencies.services.staff_register import StaffRegisterRow, staff_register_import
from agencies.services.status import (
    agency_approve,
    agency_exit,
    agency_reject,
    agency_suspend,
)
from catalogue.models import QualificationType, ServiceItem
from catalogue.services.items import (
    RequirementSpec,
    service_item_create,
    service_item_publish,
    service_item_retire,
    service_item_update,
    service_item_values,
)
from cms import demo_data
from cms.models import (
    HomePage,
    NewsIndexPage,
    NewsPage,
    NoticeCentrePage,
    PolicyIndexPage,
    PolicyPage,
    PortalSettings,
    ServiceGuideIndexPage,
    ServiceGuidePage,
)
from config.celery import app as celery_app
from contracts.models import Contract, ContractTemplateVersion, Party
from contracts.pki import init_pki
from contracts.services.delivery import (
    contract_deliver,
    deliverable_upload,
    delivery_accept,
    delivery_return,
)
from contracts.services.lifecycle import contract_create, contract_render, contract_sign
from contracts.services.templates import (
    template_version_decide,
    template_version_submit,
    template_version_write,
)
from contracts.tsa_server import local_tsa_while_needed
from core.beacon import configured_chain
from core.beacon_server import local_beacon_while_needed
from core.exceptions import ApplicationError
from core.identity import id_number_hash
from core.models import CalendarDay, Region
from core.services import region_add
from core.workdays import add_workdays, is_workday, year_is_provisional
from credit.models import ASPECTS, Inspection, Rating, Violation
from credit.services.blacklist import blacklist_add
from credit.services.complaints import complaint_submit
from credit.services.inspections import inspection_record
from credit.services.ratings import rating_reply, rating_submit
from credit.services.repair import repair_request_submit
from credit.services.scoring import credit_recompute
from credit.services.violations import contracts_violations_sweep, violation_record
from market.models import Project, PurchaseRequest, RegionalAssessment
from market.services.clock import purchase_request_advance
from market.services.projects import project_classification_decide, project_create
from market.services.quotes import quote_submit
from market.services.requests import (
    RequestTerms,
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_publish,
)

# Registering authority + kind + region (511403 is Pengshan): 11 = a government organ,
# 91 = an enterprise registered with market regulation.
GOVERNMENT_PREFIX = "11511403"
ENTERPRISE_PREFIX = "91511403"
RETIRED_ITEM = "PS-ZJ-022"
# Counted from each request's own publication, so that a slow machine still quotes in time.
DEMO_DEADLINE = datetime.timedelta(seconds=6)
# What the work logs as it goes — each task run, each page drawn, each signature made — is
# the console's noise while seeding: only warnings and errors (pyHanko's expected "fetching
# is not allowed" included: the demo's CA is local) are kept, and from pyHanko only errors.
QUIET_WHILE_SEEDING = {
    "celery.app.trace": logging.WARNING,
    "contracts": logging.WARNING,
    "weasyprint": logging.WARNING,
    "fontTools": logging.WARNING,
    "pyhanko": logging.ERROR,
}
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # installed by make


def demo_scan(title: str, filename: str) -> SimpleUploadedFile:
    """A stand-in scan: a PNG (or, for a .pdf name, a PDF) that says what it stands for,
    marked as a demo."""
    image = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 629, 389), outline="#b42318", width=4)
    font = ImageFont.truetype(str(CJK_FONT), 28) if CJK_FONT.exists() else ImageFont.load_default()
    draw.text((40, 150), title, fill="#1f2933", font=font)
    draw.text((40, 210), "演示数据 · DEMO", fill="#b42318", font=font)
    buffer = io.BytesIO()
    if filename.endswith(".pdf"):
        image.save(buffer, format="PDF")
        return SimpleUploadedFile(filename, buffer.getvalue(), content_type="application/pdf")
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(filename, buffer.getvalue(), content_type="image/png")


class Command(BaseCommand):
    help = (
        "Load the demo data (departments, catalogue, agencies, owners, purchase requests, model "
        "contracts, contracts, logins). Idempotent."
    )

    # The demo is loaded, not lived: the notices the services send (agency approved, …) would
    # only flood the console, so mail goes nowhere while seeding. And it stages real draws
    # on deadlines DEMO_DEADLINE (seconds) after publication, far inside the minimum quoting
    # period a regulator sets, so while seeding the period is the demo's own: none at all.
    # Each draw's beacon round comes a few seconds after its deadline, when the quotes have
    # been fixed: long enough for the closing, short enough not to keep `make demo` waiting.
    @override_settings(
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        DEMO_MIN_QUOTING_SECONDS=0,
        BEACON_DELAY_SECONDS=2,
    )
    def handle(self, *args, **options) -> None:
        # Tasks queued while seeding (invitations, award notices) run here and now, into the
        # mail backend above, instead of waiting in the demo's queue to flood its console.
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        # The contracts are signed with the demo's CA and dated by its timestamp authority,
        # served here until `make demo` starts its own (the Procfile's `tsa` line).
        init_pki()
        try:
            with (
                translation.override(settings.LANGUAGE_CODE),
                local_beacon_while_needed(),
                local_tsa_while_needed(),
                _loggers_quiet(),
                transaction.atomic(),
            ):
                contracts = self._seed()
        finally:
            celery_app.conf.task_always_eager = eager
        if contracts:
            self._print_contracts(contracts)
        self._print_logins()

    def _seed(self) -> list[Contract]:
        self._sample_calendar()
        organisations = self._organisations()
        users = self._users(organisations)
        qualification_types = self._qualification_types()
        self._service_items(
            organisations[Role.APPROVAL_DEPARTMENT], qualification_types, users["regulator"]
        )
        self._model_contracts(users["regulator"])
        self._agencies(qualification_types, users["regulator"])
        contracts = self._projects_and_requests(organisations[Role.PROJECT_OWNER], users)
        self._ratings()
        self._credit_records(users)
        # What the nightly runs would have found and computed by now.
        contracts_violations_sweep()
        credit_recompute()
        self._portal(organisations[Role.REGULATOR])
        return contracts

    def _print_contracts(self, contracts: list[Contract]) -> None:
        """One line: the contracts made, by status (the model's own labels)."""
        counts = Counter(contract.status for contract in contracts)
        states = ", ".join(
            f"{Contract.Status(status).label} {count}" for status, count in counts.items()
        )
        self.stdout.write(f"{Contract._meta.verbose_name_plural}: {len(contracts)} ({states})")

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for username, membership, display_name in demo_data.DEMO_USERS:
            role = Role(membership[0]).label if membership else _("Platform administrator")
            password = demo_data.DEMO_PASSWORD
            self.stdout.write(f"  {username:<10} {password}  {role} · {display_name}")
        secret = base64.b32encode(bytes.fromhex(demo_data.DEMO_TOTP_KEY)).decode()
        self.stdout.write(
            _(
                "Regulator, approval department and administrator also enter a code from an "
                "authenticator app holding the demo secret %(secret)s (see the README)."
            )
            % {"secret": secret}
        )
        for username, _regulator, display_name, group in demo_data.EDITORIAL_USERS:
            password = demo_data.DEMO_PASSWORD
            self.stdout.write(f"  {username:<10} {password}  {group} · {display_name}")

    # Organisations and people -----------------------------------------------------------------

    def _organisation(self, *, name: str, kind: Role, prefix: str, **details) -> Organisation:
        existing = Organisation.objects.filter(kind=kind, name=name).first()
        if existing:
            return existing
        return organisation_create(
            name=name, kind=kind, credit_code=credit_code_derive(prefix, name), **details
        )

    def _departments(self, kind: Role, names: list[str]) -> list[Organisation]:
        return [
            self._organisation(
                name=name,
                kind=kind,
                prefix=GOVERNMENT_PREFIX,
                region="眉山市彭山区",
                address="眉山市彭山区彭祖大道二段",
            )
            for name in names
        ]

    def _organisations(self) -> dict[Role, list[Organisation]]:
        return {
            Role.REGULATOR: self._departments(Role.REGULATOR, demo_data.REGULATORS),
            Role.APPROVAL_DEPARTMENT: self._departments(
                Role.APPROVAL_DEPARTMENT, demo_data.APPROVAL_DEPARTMENTS
            ),
            Role.PROJECT_OWNER: [
                self._organisation(
                    name=name,
                    kind=Role.PROJECT_OWNER,
                    prefix=ENTERPRISE_PREFIX,
                    region=region,
                    contact_name=contact,
                    contact_phone=f"028-3760{index:04d}",
                )
                for index, (name, region, contact) in enumerate(demo_data.PROJECT_OWNERS)
            ],
        }

    def _users(self, organisations: dict[Role, list[Organisation]]) -> dict[str, User]:
        """The demo logins, except the agency's, which registers with its agency."""
        users = {}
        for username, membership, display_name in demo_data.DEMO_USERS:
            if membership and membership[0] == Role.AGENCY:
                continue
            users[username] = User.objects.filter(username=username).first() or user_create(
                username=username,
                password=demo_data.DEMO_PASSWORD,
                organisation=organisations[membership[0]][membership[1]] if membership else None,
                email=f"{username}@demo.zjcs.localhost",
                display_name=display_name,
                is_organisation_admin=membership is not None,
                is_superuser=membership is None,
            )
        for user in users.values():
            if allowed("accounts.needs_second_factor", user):
                TOTPDevice.objects.get_or_create(
                    user=user,
                    name="demo",
                    defaults={"key": demo_data.DEMO_TOTP_KEY, "confirmed": True},
                )
        return users

    # The portal -------------------------------------------------------------------------------

    def _portal(self, regulators: list[Organisation]) -> None:
        """The public site's pages, published; its footer's settings; and its web editors, in
        the editorial groups the moderation workflow asks (cms/migrations/0005)."""
        home = HomePage.objects.get()
        site = home.get_site()
        # Page addresses written outside a request (mails, the page editor's "view live")
        # use the Site's address: the one the demo is served at.
        address = urlsplit(settings.SITE_URL)
        site.hostname = address.hostname or site.hostname
        site.port = address.port or (443 if address.scheme == "https" else 80)
        site.save(update_fields=["hostname", "port"])
        settings_row = PortalSettings.for_site(site)
        for name, value in demo_data.PORTAL_SETTINGS.items():
            setattr(settings_row, name, value)
        settings_row.save()

        page_types = {
            "NoticeCentrePage": NoticeCentrePage,
            "PolicyIndexPage": PolicyIndexPage,
            "NewsIndexPage": NewsIndexPage,
            "ServiceGuideIndexPage": ServiceGuideIndexPage,
        }
        sections = {
            slug: self._page(home, page_types[kind](title=title, slug=slug, intro=intro))
            for slug, kind, title, intro in demo_data.PORTAL_SECTIONS
        }
        for document in demo_data.action_plan_documents():
            body = []
            for heading, paragraphs in document.sections:
                if heading:
                    body.append(("heading", heading))
                if paragraphs:
                    body.append(
                        ("paragraph", format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs)))
                    )
            self._page(
                sections["policies"],
                PolicyPage(
                    title=document.title,
                    slug=document.slug,
                    issued_by=demo_data.ACTION_PLAN_ISSUER,
                    issued_on=demo_data.ACTION_PLAN_ISSUED_ON,
                    summary=document.summary,
                    body=body,
                ),
            )
        for slug, date, title, summary, paragraphs in demo_data.NEWS:
            self._page(
                sections["news"],
                NewsPage(
                    title=title,
                    slug=slug,
                    date=date,
                    summary=summary,
                    body=format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs)),
                ),
            )
        for code, advice in demo_data.SERVICE_GUIDE_PAGES.items():
            item = ServiceItem.objects.get(code=code)
            self._page(
                sections["guides"],
                ServiceGuidePage(
                    title=f"{item.name}办事指南",
                    slug=code.lower(),
                    service_item=item,
                    body=format_html("<p>{}</p>", advice),
                ),
            )

        for username, regulator, display_name, group in demo_data.EDITORIAL_USERS:
            user = User.objects.filter(username=username).first() or user_create(
                username=username,
                password=demo_data.DEMO_PASSWORD,
                organisation=regulators[regulator],
                email=f"{username}@demo.zjcs.localhost",
                display_name=display_name,
            )
            user.groups.add(Group.objects.get(name=group))
            if allowed("accounts.needs_second_factor", user):
                TOTPDevice.objects.get_or_create(
                    user=user,
                    name="demo",
                    defaults={"key": demo_data.DEMO_TOTP_KEY, "confirmed": True},
                )

    def _page(self, parent, page):
        """`page` published under `parent`, unless a page with its slug is there already."""
        existing = parent.get_children().filter(slug=page.slug).first()
        if existing:
            return existing.specific
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    # The catalogue ------------------------------------------------------------------------------

    def _qualification_types(self) -> dict[str, QualificationType]:
        return {
            code: QualificationType.objects.get_or_create(
                code=code, defaults={"name": name, "grades": grades, "legal_basis": basis}
            )[0]
            for code, name, grades, basis in demo_data.QUALIFICATION_TYPES
        }

    def _requirements(
        self, code: str, types: dict[str, QualificationType]
    ) -> list[RequirementSpec]:
        specs = []
        for alternative, group in enumerate(
            demo_data.ITEM_REQUIREMENTS.get(code, "").split("|"), 1
        ):
            for requirement in filter(None, group.split("+")):
                type_code, grade = requirement.split(":")
                specs.append(RequirementSpec(alternative, types[type_code], grade))
        return specs

    def _service_items(
        self, departments: list[Organisation], types: dict[str, QualificationType], regulator: User
    ) -> None:
        by_name = {department.name: department for department in departments}
        for (
            code,
            name,
            department,
            approval_item,
            basis,
            days,
            fee_mode,
            fee_basis,
            regional_kind,
            self_prepare,
            summary,
        ) in demo_data.SERVICE_ITEMS:
            if ServiceItem.objects.filter(code=code).exists():
                continue
            set_price, ceiling, low, high = demo_data.ITEM_FEES[code]
            materials, steps, deliverables = demo_data.GUIDES.get(code, demo_data.GUIDE_DEFAULT)
            values = {
                "code": code,
                "name": name,
                "summary": summary,
                "approval_department": by_name[department],
                "related_approval_item": approval_item,
                "legal_basis": basis,
                "legal_references": demo_data.LEGAL_REFERENCES.get(code, ""),
                "statutory_time_limit_days": days,
                "fee_mode": fee_mode,
                "fee_basis": fee_basis,
                "fee_amount": set_price,
                "fee_ceiling": ceiling,
                "reference_price_low": low,
                "reference_price_high": high,
                "paid_by_department": set_price is not None,
                "guide_materials": materials,
                "guide_steps": steps,
                "guide_deliverables": deliverables,
                "regional_assessment_kind": regional_kind,
                "owner_may_self_prepare": self_prepare,
            }
            item = service_item_create(
                user=regulator, values=values, requirements=self._requirements(code, types)
            )
            service_item_publish(user=regulator, service_item=item)
        self._adjustments(regulator)

    def _adjustments(self, regulator: User) -> None:
        """A few entries for the public adjustment log: a change in force, one scheduled, and
        a retirement."""
        surveying = ServiceItem.objects.get(code="PS-ZJ-010")
        if surveying.version == 1:
            values = service_item_values(surveying) | {"fee_ceiling": Decimal("7500")}
            service_item_update(
                user=regulator,
                service_item=surveying,
                values=values,
                requirements=self._requirement_specs(surveying),
                effective_date=timezone.localdate(),
                reason="依据新修订的测绘收费参考标准下调指导价上限",
            )
        impact = ServiceItem.objects.get(code="PS-ZJ-001")
        if not impact.versions.filter(applied_at__isnull=True).exists() and impact.version == 1:
            values = service_item_values(impact) | {"statutory_time_limit_days": 25}
            service_item_update(
                user=regulator,
                service_item=impact,
                values=values,
                requirements=self._requirement_specs(impact),
                effective_date=timezone.localdate() + datetime.timedelta(days=10),
                reason="压缩环评文件编制时限，服务提速",
            )
        retired = ServiceItem.objects.get(code=RETIRED_ITEM)
        if retired.status == ServiceItem.Status.PUBLISHED:
            service_item_retire(
                user=regulator,
                service_item=retired,
                reason="清理规范：该事项不再作为审批受理条件",
            )

    @staticmethod
    def _requirement_specs(item: ServiceItem) -> list[RequirementSpec]:
        return [
            RequirementSpec(r.alternative, r.qualification_type, r.minimum_grade)
            for r in item.requirements.select_related("qualification_type")
        ]

    # Agencies ---------------------------------------------------------------------------------

    def _agencies(self, types: dict[str, QualificationType], regulator: User) -> None:
        today = timezone.localdate()
        self._staff_register(regulator)
        for index, (name, region, contact) in enumerate(demo_data.AGENCIES):
            if Agency.objects.filter(organisation__name=name).exists():
                continue
            certificates = [
                CertificateInput(
                    qualification_type=types[type_code],
                    grade=grade,
                    number=f"{types[type_code].code.upper()}-{index:03d}-{position}",
                    issuer="四川省住房和城乡建设厅"
                    if type_code != "surveying"
                    else "四川省自然资源厅",
                    valid_from=today - datetime.timedelta(days=730),
                    valid_to=today + datetime.timedelta(days=days_left),
                    scan=demo_scan(
                        f"{types[type_code].name} {grade}", f"cert-{index:02d}-{position}.png"
                    ),
                )
                for position, (type_code, grade, days_left) in enumerate(
                    demo_data.AGENCY_QUALIFICATIONS.get(index, [])
                )
            ]
            username = self._agency_username(index)
            registration = agency_register(
                name=name,
                credit_code=credit_code_derive(ENTERPRISE_PREFIX, name),
                legal_representative=contact,
                contact_name=contact,
                contact_phone=f"028-8600{index:04d}",
                address=f"{region}示范路{index + 1}号",
                region=region,
                business_licence=demo_scan(f"营业执照 {name}", f"licence-{index:02d}.png"),
                certificates=certificates,
                username=username,
                password=demo_data.DEMO_PASSWORD,
                email=f"{username}@demo.zjcs.localhost",
                display_name=f"{contact}（中介机构）",
            )
            for person, role, id_number in demo_data.PRACTITIONERS.get(index, []):
                practitioner_add(
                    actor=registration.user,
                    agency=registration.agency,
                    name=person,
                    id_number=id_number,
                    role=role,
                )
            if index not in demo_data.CERTIFICATES_AWAITING_VERIFICATION:
                for certificate in registration.agency.qualifications.all():
                    qualification_verify(
                        actor=regulator,
                        qualification=certificate,
                        note="已与发证机关信息核对一致（演示数据）",
                    )
            self._agency_state(index, registration.agency, types, regulator)

    def _agency_state(
        self, index: int, agency: Agency, types: dict[str, QualificationType], regulator: User
    ) -> None:
        status, note = demo_data.AGENCY_STATES.get(index, (Agency.Status.ACTIVE, ""))
        if status == Agency.Status.PENDING:
            return
        if status == Agency.Status.REJECTED:
            agency_reject(
                agency=agency,
                actor=regulator,
                cited_qualification_types=[types["surveying"]],
                reason=note,
            )
            return
        agency_approve(agency=agency, actor=regulator)
        if status == Agency.Status.SUSPENDED:
            agency_suspend(agency=agency, actor=regulator, reason=note)
        elif status == Agency.Status.EXITED:
            agency_exit(agency=agency, actor=regulator, reason=note)

    def _staff_register(self, regulator: User) -> None:
        rows = [
            StaffRegisterRow(
                number=position, id_number_hash=id_number_hash(number), department_name=department
            )
            for position, (number, department) in enumerate(demo_data.STAFF_REGISTER, start=2)
        ]
        known = set(StaffRegisterEntry.objects.values_list("id_number_hash", flat=True))
        rows = [row for row in rows if row.id_number_hash not in known]
        if rows:
            staff_register_import(actor=regulator, rows=rows, replace=False)

    # Projects and purchase requests -------------------------------------------------------------

    def _projects_and_requests(
        self, owners: list[Organisation], users: dict[str, User]
    ) -> list[Contract]:
        """The projects, then (once) the purchase requests and the contracts; returns the
        contracts made."""
        regions = self._regions(users["regulator"])
        department = Organisation.objects.get(
            kind=Role.APPROVAL_DEPARTMENT, name=demo_data.SPECIAL_PROJECT_DEPARTMENT
        )
        owner_users = {
            user.organisation_id: user for user in users.values() if user.organisation_id
        }
        department_user = next(
            user for user in users.values() if user.organisation_id == department.pk
        )
        projects = []
        for owner_index, name, code, region, funding, special in demo_data.PROJECTS:
            project = Project.objects.filter(investment_code=code).first()
            if project is None:
                owner = owners[owner_index]
                project = project_create(
                    actor=owner_users[owner.pk],
                    name=name,
                    investment_code=code,
                    region=regions[region],
                    funding=funding,
                    approval_department=department,
                    special_or_major_reason=special[0] if special else "",
                )
                if special and special[1]:
                    project_classification_decide(
                        actor=department_user,
                        classification=project.classifications.get(),
                        confirmed=True,
                        note=special[1],
                    )
            projects.append(project)
        self._regional_assessment(users["regulator"])
        closing = []
        if not PurchaseRequest.objects.filter(project__in=projects).exists():
            closing = self._purchase_scenarios(projects, owner_users, users)
        contracted = []
        if not Contract.objects.exists():
            contracted = self._contract_requests(projects, owner_users)
        self._draws(closing, contracted)
        return [
            self._contract(purchase_request, state, owner_users[purchase_request.project.owner_id])
            for purchase_request, _awarded_at, state in contracted
        ]

    def _purchase_scenarios(
        self, projects: list[Project], owner_users: dict[int, User], users: dict[str, User]
    ) -> list[PurchaseRequest]:
        """The purchase requests, one per state; returns those whose deadline is seconds away."""
        now = timezone.now()
        closing = []
        for project_index, code, budget, method, outcome, amounts in demo_data.PURCHASE_SCENARIOS:
            project = projects[project_index]
            owner = owner_users[project.owner_id]
            soon = outcome in ("awarded", "failed", "selecting")
            terms = RequestTerms(
                service_item=ServiceItem.objects.get(code=code),
                budget=Decimal(budget),
                selection_method=method,
                quote_opens_at=now + datetime.timedelta(days=2) if outcome == "published" else None,
                quote_deadline=(
                    timezone.now() + DEMO_DEADLINE if soon else now + datetime.timedelta(days=6)
                ),
                wanted_time_limit_days=None,
                requirements_note="按示范合同约定的范围和深度完成服务，成果满足审批要求。",
            )
            purchase_request = purchase_request_create(actor=owner, project=project, terms=terms)
            if outcome == "draft":
                continue
            purchase_request = purchase_request_publish(
                actor=owner, purchase_request=purchase_request
            )
            if outcome == "cancelled":
                purchase_request_cancel(
                    actor=owner, purchase_request=purchase_request, reason=demo_data.CANCEL_REASON
                )
                continue
            for agency_index, amount in amounts.items():
                quote_submit(
                    actor=User.objects.get(username=self._agency_username(agency_index)),
                    purchase_request=purchase_request,
                    amount=amount,
                    committed_time_limit_days=max(
                        1, purchase_request.service_item.statutory_time_limit_days - 5
                    ),
                    # The demo stands in for each agency's browser, which makes the nonce.
                    nonce=secrets.token_hex(16),
                    # A proposal, sealed like the amount until the quotes are opened.
                    proposal=demo_scan(f"技术方案 {code}", f"proposal-{agency_index}.pdf")
                    if code == demo_data.TIE_FOUND_AFTER_QUOTING[0]
                    else None,
                )
            if code == demo_data.TIE_FOUND_AFTER_QUOTING[0]:
                self._tie_found_after_quoting(purchase_request, users["regulator"])
            if code == demo_data.CERTIFICATE_ENDED_AFTER_QUOTING[0]:
                self._certificate_ended_after_quoting(purchase_request, users["regulator"])
            if soon:
                closing.append(purchase_request)
        self._fee_splitting_refused(projects[0], owner_users[projects[0].owner_id])
        return closing

    def _draws(
        self,
        closing: list[PurchaseRequest],
        contracted: list[tuple[PurchaseRequest, datetime.datetime, str]],
    ) -> None:
        """Let the real deadlines pass; the draws are then made by the server clock as they
        would be on any day, and anyone can re-check them."""
        waiting = sorted(
            [*closing, *(purchase_request for purchase_request, _, _ in contracted)],
            key=_deadline,
        )
        if not waiting:
            return
        # Each request is opened as soon as its own deadline has passed, seconds before its
        # draw's beacon round is out, so the draws below are all made after the openings.
        for purchase_request in waiting:
            _sleep_until(_deadline(purchase_request))
            opened = purchase_request_advance(purchase_request=purchase_request)
            if opened.status != PurchaseRequest.Status.SELECTING and any(
                opened.pk == each.pk for each, _, _ in contracted
            ):
                raise CommandError(
                    f"{opened.number} was {opened.status} before its draw: this machine took "
                    "longer than BEACON_DELAY_SECONDS to open it. Please run the demo again."
                )
        # The quotes are fixed; once the draws' beacon rounds are out, they are made.
        chain = configured_chain()
        _sleep_until(max(chain.round_time(r.beacon_round) for r in waiting))
        for purchase_request in closing:
            purchase_request_advance(purchase_request=purchase_request)
        for purchase_request, awarded_at, _state in contracted:
            # The demo's contracts need awards whose publicity period has ended, days before
            # today. Their draws are real — today's quotes, today's beacon round — but the
            # clock service is told the award was made at `awarded_at` (its `now`), so the
            # publicity period it computes has ended; the next move, by the real clock,
            # confirms the award. Nothing else is dated back (see _contract for the one date
            # set directly).
            purchase_request_advance(purchase_request=purchase_request, now=awarded_at)
            purchase_request_advance(purchase_request=purchase_request)

    def _tie_found_after_quoting(self, purchase_request: PurchaseRequest, regulator: User) -> None:
        """A regulator finds, after an agency has quoted, that it is tied to the department
        approving the item: its quote stops counting, and the notice shows why."""
        agency_index, finding = demo_data.TIE_FOUND_AFTER_QUOTING[1:]
        agency = Agency.objects.get(
            organisation__members__username=self._agency_username(agency_index)
        )
        affiliation_record(
            actor=regulator,
            agency=agency,
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=purchase_request.service_item.approval_department,
            finding=finding,
        )

    def _certificate_ended_after_quoting(
        self, purchase_request: PurchaseRequest, regulator: User
    ) -> None:
        """The issuing authority's register, applied after the agencies quoted, shows one
        certificate ended yesterday: its quote stops counting, and the notice shows why."""
        agency_index, source = demo_data.CERTIFICATE_ENDED_AFTER_QUOTING[1:]
        requirement = purchase_request.service_item.requirements.select_related(
            "qualification_type"
        ).first()
        ended_agency = User.objects.get(username=self._agency_username(agency_index))
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        entries = [
            RegisterEntry(
                row=row,
                number=certificate.number,
                credit_code=certificate.agency.organisation.credit_code,
                grade=certificate.grade,
                valid_to=yesterday
                if certificate.agency_id == ended_agency.organisation_id
                else certificate.valid_to,
                in_force=True,
            )
            for row, certificate in enumerate(
                Qualification.objects.filter(
                    qualification_type=requirement.qualification_type
                ).select_related("agency__organisation"),
                start=2,
            )
        ]
        certificate_register_apply(
            actor=regulator,
            qualification_type=requirement.qualification_type,
            entries=entries,
            source=source,
        )

    def _sample_calendar(self) -> None:
        """Next year's sample make-up days, while its real schedule is not confirmed."""
        year = timezone.localdate().year + 1
        if not year_is_provisional(year):
            return
        for day, workday, note in demo_data.SAMPLE_CALENDAR.get(year, []):
            CalendarDay.objects.get_or_create(
                date=datetime.date.fromisoformat(day),
                defaults={"is_workday": workday, "note": note},
            )

    def _fee_splitting_refused(self, project: Project, owner: User) -> None:
        """A second small request for an item already bought small within the window stays a
        draft: publishing it would split one purchase (the regulator's workspace lists it)."""
        code, budget = demo_data.FEE_SPLITTING_EXAMPLE
        terms = RequestTerms(
            service_item=ServiceItem.objects.get(code=code),
            budget=Decimal(budget),
            selection_method="random_draw",
            quote_deadline=timezone.now() + datetime.timedelta(days=6),
            requirements_note="按示范合同约定的范围和深度完成服务，成果满足审批要求。",
        )
        first = purchase_request_create(actor=owner, project=project, terms=terms)
        purchase_request_publish(actor=owner, purchase_request=first)
        second = purchase_request_create(actor=owner, project=project, terms=terms)
        try:
            purchase_request_publish(actor=owner, purchase_request=second)
        except ApplicationError as refusal:
            self.stdout.write(f"  {second.number}: {refusal.message}")

    # Model contracts and contracts -------------------------------------------------------------

    def _model_contracts(self, regulator: User) -> None:
        """An approved model contract for each item in MODEL_CONTRACTS, written by the item's
        approval department where the demo has a login for it and by the regulator
        otherwise, and one later version with a flagged clause waiting for the regulator."""
        flagged_code, changes = demo_data.FLAGGED_MODEL_CONTRACT
        for code, signing_order in demo_data.MODEL_CONTRACTS.items():
            item = ServiceItem.objects.select_related("approval_department").get(code=code)
            if ContractTemplateVersion.objects.filter(template__service_item=item).exists():
                continue
            writer = (
                User.objects.filter(
                    organisation=item.approval_department, is_organisation_admin=True
                )
                .order_by("pk")
                .first()
                or regulator
            )
            deliverables = demo_data.GUIDES.get(code, demo_data.GUIDE_DEFAULT)[2]
            body = demo_data.MODEL_CONTRACT_BODY.replace(
                "[成果清单]", "、".join(deliverables.split("\n"))
            )
            version = self._model_contract_submit(writer, item, body, signing_order)
            template_version_decide(
                actor=regulator, version=version, approved=True, note=demo_data.MODEL_CONTRACT_NOTE
            )
            if code == flagged_code:
                for old, new in changes:
                    body = body.replace(old, new)
                self._model_contract_submit(writer, item, body, signing_order)

    @staticmethod
    def _model_contract_submit(
        writer: User, item: ServiceItem, body: str, signing_order: str
    ) -> ContractTemplateVersion:
        """Write and submit a version; a finding of the checker would be left for the
        regulator (the demo's texts have none)."""
        version = template_version_write(
            actor=writer, service_item=item, body=body, signing_order=signing_order
        )
        return template_version_submit(actor=writer, version=version)

    def _contract_requests(
        self, projects: list[Project], owner_users: dict[int, User]
    ) -> list[tuple[PurchaseRequest, datetime.datetime, str]]:
        """A request for each contract of CONTRACT_SCENARIOS, published and quoted on, with
        its deadline seconds away; with the moment its award is dated and the contract's
        state to reach."""
        awarded_at = _award_moment_publicity_ended()
        made = []
        for project_index, code, budget, amounts, days, state in demo_data.CONTRACT_SCENARIOS:
            project = projects[project_index]
            owner = owner_users[project.owner_id]
            terms = RequestTerms(
                service_item=ServiceItem.objects.get(code=code),
                budget=Decimal(budget),
                selection_method="lowest_price",
                quote_deadline=timezone.now() + DEMO_DEADLINE,
                requirements_note="按示范合同约定的范围和深度完成服务，成果满足审批要求。",
            )
            purchase_request = purchase_request_publish(
                actor=owner,
                purchase_request=purchase_request_create(actor=owner, project=project, terms=terms),
            )
            for agency_index, amount in amounts.items():
                quote_submit(
                    actor=User.objects.get(username=self._agency_username(agency_index)),
                    purchase_request=purchase_request,
                    amount=amount,
                    committed_time_limit_days=days,
                    nonce=secrets.token_hex(16),
                )
            if state == "overdue":
                moment = datetime.datetime.fromisoformat(demo_data.OVERDUE_AWARDED_AT)
            else:
                moment = awarded_at
            made.append((purchase_request, moment, state))
        return made

    def _contract(self, purchase_request: PurchaseRequest, state: str, owner: User) -> Contract:
        """The confirmed award's contract, drawn, signed and delivered up to `state`."""
        contract = contract_create(purchase_request=purchase_request)
        contract_render(version=contract.versions.get())
        contract.refresh_from_db()
        agency = User.objects.filter(
            organisation=contract.agency.organisation, is_organisation_admin=True
        ).earliest("pk")
        signers = {Party.OWNER: owner, Party.AGENCY: agency}
        stop = {
            "awaiting_agency": Contract.Status.AWAITING_AGENCY,
            "awaiting_owner": Contract.Status.AWAITING_OWNER,
        }.get(state)
        while contract.status in Contract.SIGNING_STATUSES and contract.status != stop:
            party = (
                Party.AGENCY if contract.status == Contract.Status.AWAITING_AGENCY else Party.OWNER
            )
            contract = contract_sign(
                actor=signers[party],
                contract=contract,
                party=party,
                password=demo_data.DEMO_PASSWORD,
            )
        if state in ("delivered", "accepted", "returned"):
            item = purchase_request.service_item
            deliverable_upload(
                actor=agency,
                milestone=contract.milestones.get(),
                upload=demo_scan(f"{item.name}成果（送审稿）", f"{item.code}-成果.pdf"),
            )
            contract = contract_deliver(actor=agency, contract=contract)
        if state == "accepted":
            contract = delivery_accept(actor=owner, contract=contract)
        elif state == "returned":
            contract = delivery_return(
                actor=owner, contract=contract, reasons=demo_data.RETURN_REASONS
            )
        elif state == "overdue":
            # The one date the demo sets itself. The contract was signed by both parties just
            # now (the signatures and their timestamps say so), but its working-day clock
            # starts from its story's day, 2026-09-22, before 国庆, so that today it has run
            # past its limit across the holiday. No service puts a past start on the clock.
            contract.in_force_at = datetime.datetime.fromisoformat(demo_data.OVERDUE_IN_FORCE_AT)
            contract.save(update_fields=["in_force_at"])
        return contract

    # Credit (R11, R12) ----------------------------------------------------------------------

    def _ratings(self) -> None:
        """The owners', the department's and the agencies' words on the finished services."""
        if Rating.objects.exists():
            return
        finished = Contract.objects.filter(status=Contract.Status.ACCEPTED).select_related(
            "owner", "agency__organisation", "purchase_request__service_item"
        )
        for contract in finished:
            agency_index = self._agency_index(contract.agency)
            if agency_index not in demo_data.RATINGS:
                continue
            scores, comment, reason, department_scores, reply = demo_data.RATINGS[agency_index]
            rating = rating_submit(
                actor=self._admin(contract.owner),
                contract=contract,
                rater=Rating.Rater.OWNER,
                scores=dict(zip(ASPECTS, scores, strict=True)),
                comment=comment,
                reason=reason,
            )
            if department_scores:
                rating_submit(
                    actor=User.objects.get(username="approval"),
                    contract=contract,
                    rater=Rating.Rater.DEPARTMENT,
                    scores=dict(zip(("quality", "timeliness"), department_scores, strict=True)),
                    comment="成果满足审批要求，一次通过技术审查。",
                )
            if reply:
                rating_reply(
                    actor=self._admin(contract.agency.organisation), rating=rating, text=reply
                )

    def _credit_records(self, users: dict[str, User]) -> None:
        """Inspections, a violation with its repair request, a blacklisted agency whose banned
        manager has joined another agency, and two open complaints."""
        if Inspection.objects.exists():
            return
        regulator = users["regulator"]
        authority = regulator.organisation
        today = timezone.localdate()
        agencies = self._agencies_by_index()
        for index, result, findings, days_ago in demo_data.INSPECTIONS:
            inspection_record(
                actor=regulator,
                agency=agencies[index],
                inspected_on=today - datetime.timedelta(days=days_ago),
                authority=authority,
                result=result,
                findings=findings,
            )
        violations = {}
        for index, kind, severity, facts, evidence, basis, days_ago in demo_data.VIOLATIONS:
            violations[index] = violation_record(
                actor=regulator,
                agency=agencies[index],
                kind=kind,
                severity=severity,
                facts=facts,
                evidence=evidence,
                legal_basis=basis,
                authority=authority,
                occurred_on=today - datetime.timedelta(days=days_ago),
            )
        index, statement = demo_data.REPAIR
        repair_request_submit(
            actor=self._admin(agencies[index].organisation),
            violation=violations[index],
            statement=statement,
            evidence=demo_scan("签约内部制度（整改材料）", "repair-evidence.png"),
        )
        self._blacklist(regulator, agencies, today)
        for position, (username, category, index, content, name, contact) in enumerate(
            demo_data.COMPLAINTS
        ):
            complaint_submit(
                actor=users[username] if username else None,
                category=category,
                content=content,
                name=name,
                contact=contact,
                agency=agencies[index],
                evidence=demo_scan("投诉证据（收据照片）", f"complaint-{position}.png"),
            )

    def _blacklist(self, regulator: User, agencies: dict[int, Agency], today) -> None:
        listed = demo_data.BLACKLISTED
        agency = agencies[listed["agency"]]
        started = today - datetime.timedelta(days=listed["days_ago"])
        violation = violation_record(
            actor=regulator,
            agency=agency,
            kind=listed["kind"],
            severity=Violation.Severity.GRAVE,
            facts=listed["facts"],
            evidence=listed["evidence"],
            legal_basis=listed["legal_basis"],
            authority=regulator.organisation,
            occurred_on=started - datetime.timedelta(days=10),
            evidence_file=demo_scan("检测数据比对表", "violation-evidence.png"),
        )
        name, role, id_number = listed["person"]
        blacklist_add(
            actor=regulator,
            violation=violation,
            reason=listed["reason"],
            authority=regulator.organisation,
            legal_basis=listed["legal_basis"],
            starts_on=started,
            ends_on=started.replace(year=started.year + listed["years"]),
            persons=agency.practitioners.filter(name=name),
        )
        joined = agencies[demo_data.JOINED_AFTER_BAN]
        practitioner_add(
            actor=self._admin(joined.organisation),
            agency=joined,
            name=name,
            id_number=id_number,
            role=role,
        )

    @staticmethod
    def _agencies_by_index() -> dict[int, Agency]:
        by_name = {
            agency.organisation.name: agency
            for agency in Agency.objects.select_related("organisation")
        }
        return {
            index: by_name[name]
            for index, (name, _region, _contact) in enumerate(demo_data.AGENCIES)
            if name in by_name
        }

    @staticmethod
    def _admin(organisation: Organisation) -> User:
        return User.objects.filter(organisation=organisation, is_organisation_admin=True).earliest(
            "pk"
        )

    @staticmethod
    def _agency_index(agency: Agency) -> int:
        names = [name for name, _region, _contact in demo_data.AGENCIES]
        return names.index(agency.organisation.name)

    @staticmethod
    def _agency_username(index: int) -> str:
        return "agency" if index == 0 else f"agency{index:02d}"

    def _regions(self, regulator: User) -> dict[str, Region]:
        """The region tree, by name (the demo's names are unique)."""

        def add(entries: list, parent: Region | None) -> None:
            for name, kind, code, inside in entries:
                region = Region.objects.filter(name=name).first() or region_add(
                    actor=regulator, name=name, kind=kind, code=code, parent=parent
                )
                add(inside, region)

        add(demo_data.REGIONS, None)
        return {region.name: region for region in Region.objects.all()}

    def _regional_assessment(self, regulator: User) -> None:
        title, region, kinds, summary = demo_data.REGIONAL_ASSESSMENT
        today = timezone.localdate()
        assessment, created = RegionalAssessment.objects.get_or_create(
            title=title,
            defaults={
                "kinds": kinds,
                "summary": summary,
                "valid_from": today - datetime.timedelta(days=200),
                "valid_to": today + datetime.timedelta(days=900),
                "recorded_by": regulator,
            },
        )
        if created:
            assessment.areas.set([Region.objects.get(name=region)])
            assessment.result_document = demo_scan(title, "regional-assessment.pdf")
            assessment.save(update_fields=["result_document"])


def _award_moment_publicity_ended() -> datetime.datetime:
    """The latest working day, at 10:00, whose award's publicity period ended before today."""
    today = timezone.localdate()
    day = today - datetime.timedelta(days=1)
    while not is_workday(day) or add_workdays(day, settings.AWARD_PUBLICITY_WORKDAYS) >= today:
        day -= datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@contextlib.contextmanager
def _loggers_quiet() -> Iterator[None]:
    loggers = {logging.getLogger(name): level for name, level in QUIET_WHILE_SEEDING.items()}
    kept = {logger: logger.level for logger in loggers}
    for logger, level in loggers.items():
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for logger, level in kept.items():
            logger.setLevel(level)


def _deadline(purchase_request: PurchaseRequest) -> datetime.datetime:
    return cast(datetime.datetime, purchase_request.quote_deadline)  # set when published


def _sleep_until(moment: datetime.datetime) -> None:
    time.sleep(max((moment - timezone.now()).total_seconds() + 0.2, 0))
