"""Large synthetic data for benchmarks, written with bulk inserts.

Run again to add more: numbering continues after what an earlier run created.
"""

import datetime
import itertools
import math
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role
from accounts.validators import credit_code_derive
from agencies.models import Agency
from catalogue.models import ServiceItem
from core.models import Region
from market.models import Project, PurchaseRequest

AGENCY_PREFIX = "规模测试中介机构"
AGENCY_NAME = AGENCY_PREFIX + "{:07d}"
OWNER_NAME = "规模测试项目业主"
REQUEST_NUMBER = "SCALE-{:08d}"
REQUESTS_PER_PROJECT = 20
BATCH = 2000
# Requests are published one after another, the last of them now, as a live site's are: a
# list sorted by publication time meets the ties and the spread of real data, not 100 000
# rows published in the same microsecond (which no index order can tell apart).
PUBLISHED_EVERY = datetime.timedelta(minutes=5)


class Command(BaseCommand):
    help = "Create N synthetic agencies and M purchase requests with bulk inserts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agencies", type=int, default=0, metavar="N")
        parser.add_argument("--requests", type=int, default=0, metavar="M")

    def handle(self, *args, agencies: int, requests: int, **options) -> None:
        if agencies < 0 or requests < 0:
            raise CommandError("--agencies and --requests must not be negative.")
        if agencies:
            self._agencies(agencies)
        if requests:
            self._requests(requests)

    def _progress(self, label: str, done: int, total: int) -> None:
        self.stdout.write(f"{label}: {done}/{total} ({done * 100 // total}%)")

    def _agencies(self, count: int) -> None:
        now = timezone.now()
        start = Organisation.objects.filter(name__startswith=AGENCY_PREFIX).count()
        for offset in range(0, count, BATCH):
            numbers = range(start + offset, start + min(offset + BATCH, count))
            with transaction.atomic():
                organisations = Organisation.objects.bulk_create(
                    Organisation(
                        name=AGENCY_NAME.format(number),
                        kind=Role.AGENCY,
                        credit_code=credit_code_derive("91510100", AGENCY_NAME.format(number)),
                        region="眉山市彭山区",
                    )
                    for number in numbers
                )
                # On the roster, so the public lists are measured at their real size.
                Agency.objects.bulk_create(
                    Agency(
                        organisation=organisation,
                        legal_representative="规模测试",
                        status=Agency.Status.ACTIVE,
                        activated_at=now,
                    )
                    for organisation in organisations
                )
            self._progress("agencies", min(offset + BATCH, count), count)

    def _requests(self, count: int) -> None:
        now = timezone.now()
        items = list(ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).order_by("pk"))
        if not items:
            raise CommandError("No published service items: run `manage.py seed_demo` first.")
        owner, _ = Organisation.objects.get_or_create(
            kind=Role.PROJECT_OWNER,
            name=OWNER_NAME,
            defaults={"credit_code": credit_code_derive("91511403", OWNER_NAME)},
        )
        region = Region.objects.filter(name="彭山经济开发区").first()
        if region is None:
            raise CommandError("No region tree: run `manage.py seed_demo` first.")
        start = PurchaseRequest.objects.filter(number__startswith="SCALE-").count()
        first_project = Project.objects.filter(owner=owner).count()
        project_count = math.ceil(count / REQUESTS_PER_PROJECT)
        with transaction.atomic():
            projects = Project.objects.bulk_create(
                Project(
                    owner=owner,
                    name=f"规模测试项目{number:07d}",
                    investment_code=f"SCALE-511403-{number:07d}",
                    region=region,
                    funding=Project.Funding.STATE if number % 2 else Project.Funding.SOCIAL,
                )
                for number in range(first_project, first_project + project_count)
            )
        item_cycle = itertools.cycle(items)
        statuses = itertools.cycle(
            [
                PurchaseRequest.Status.PUBLISHED,
                PurchaseRequest.Status.QUOTING,
                PurchaseRequest.Status.DRAFT,
            ]
        )
        for offset in range(0, count, BATCH):
            numbers = range(start + offset, start + min(offset + BATCH, count))
            with transaction.atomic():
                PurchaseRequest.objects.bulk_create(
                    PurchaseRequest(
                        number=REQUEST_NUMBER.format(number),
                        project=projects[(number - start) // REQUESTS_PER_PROJECT],
                        service_item=next(item_cycle),
                        budget=Decimal(50_000 + (number % 50) * 5_000),
                        status=(status := next(statuses)),
                        published_at=(
                            None
                            if status == PurchaseRequest.Status.DRAFT
                            else now - (start + count - 1 - number) * PUBLISHED_EVERY
                        ),
                    )
                    for number in numbers
                )
            self._progress("requests", min(offset + BATCH, count), count)
