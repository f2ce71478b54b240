"""Load the demo data. Safe to run again: what exists already is left as it is."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from accounts.services import organisation_create, user_create
from accounts.validators import credit_code_derive
from core import demo_data
from market.models import Project, PurchaseRequest, ServiceItem

# Registering authority + kind + region (511403 is Pengshan): 11 = a government organ,
# 91 = an enterprise registered with market regulation.
GOVERNMENT_PREFIX = "11511403"
ENTERPRISE_PREFIX = "91511403"


class Command(BaseCommand):
    help = "Load the demo data (departments, catalogue, agencies, owners, logins). Idempotent."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            organisations = self._organisations()
            items = self._service_items(organisations[Role.APPROVAL_DEPARTMENT])
            self._projects_and_requests(organisations[Role.PROJECT_OWNER], items)
            self._users(organisations)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for username, membership, display_name in demo_data.DEMO_USERS:
            role = Role(membership[0]).label if membership else _("Platform administrator")
            password = demo_data.DEMO_PASSWORD
            self.stdout.write(f"  {username:<10} {password}  {role} · {display_name}")

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

    def _enterprises(self, kind: Role, rows: list, phone_prefix: str) -> list[Organisation]:
        return [
            self._organisation(
                name=name,
                kind=kind,
                prefix=ENTERPRISE_PREFIX,
                region=region,
                contact_name=contact,
                contact_phone=f"{phone_prefix}{index:04d}",
            )
            for index, (name, region, contact) in enumerate(rows)
        ]

    def _organisations(self) -> dict[Role, list[Organisation]]:
        return {
            Role.REGULATOR: self._departments(Role.REGULATOR, demo_data.REGULATORS),
            Role.APPROVAL_DEPARTMENT: self._departments(
                Role.APPROVAL_DEPARTMENT, demo_data.APPROVAL_DEPARTMENTS
            ),
            Role.AGENCY: self._enterprises(Role.AGENCY, demo_data.AGENCIES, "028-8600"),
            Role.PROJECT_OWNER: self._enterprises(
                Role.PROJECT_OWNER, demo_data.PROJECT_OWNERS, "028-3760"
            ),
        }

    def _service_items(self, departments: list[Organisation]) -> dict[str, ServiceItem]:
        by_name = {department.name: department for department in departments}
        items = {}
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
            items[code], _ = ServiceItem.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "summary": summary,
                    "approval_department": by_name[department],
                    "related_approval_item": approval_item,
                    "legal_basis": basis,
                    "statutory_time_limit_days": days,
                    "fee_mode": fee_mode,
                    "fee_basis": fee_basis,
                    "regional_assessment_kind": regional_kind,
                    "owner_may_self_prepare": self_prepare,
                    "status": ServiceItem.Status.PUBLISHED,
                },
            )
        return items

    def _projects_and_requests(
        self, owners: list[Organisation], items: dict[str, ServiceItem]
    ) -> None:
        projects = []
        for owner_index, name, code, region, funding, major in demo_data.PROJECTS:
            project, _ = Project.objects.get_or_create(
                investment_code=code,
                defaults={
                    "owner": owners[owner_index],
                    "name": name,
                    "region": region,
                    "funding": funding,
                    "is_special_or_major": major,
                },
            )
            projects.append(project)
        for number, project_index, item_code, budget in demo_data.PURCHASE_REQUESTS:
            PurchaseRequest.objects.get_or_create(
                number=number,
                defaults={
                    "project": projects[project_index],
                    "service_item": items[item_code],
                    "budget": Decimal(budget),
                    "status": PurchaseRequest.Status.PUBLISHED,
                },
            )

    def _users(self, organisations: dict[Role, list[Organisation]]) -> None:
        for username, membership, display_name in demo_data.DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            organisation = None
            if membership is not None:
                kind, index = membership
                organisation = organisations[kind][index]
            user_create(
                username=username,
                password=demo_data.DEMO_PASSWORD,
                organisation=organisation,
                email=f"{username}@demo.zjcs.localhost",
                display_name=display_name,
                is_organisation_admin=organisation is not None,
                is_superuser=organisation is None,
            )
