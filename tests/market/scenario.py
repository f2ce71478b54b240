"""A small marketplace for purchasing tests: an owner with a project, a published item and
four eligible agencies, on a fixed clock (a Monday, 17:00 in Beijing)."""

import datetime
from decimal import Decimal

from accounts.models import Role
from agencies.services import agency_scope_recompute
from catalogue.models import FeeMode
from market.models import Project, PurchaseRequest, Quote, SelectionMethod
from market.services.quotes import quote_submit
from market.services.requests import (
    RequestTerms,
    purchase_request_create,
    purchase_request_publish,
)
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.market.factories import ProjectFactory

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


class Market:
    """An owner with a state-funded project, a published item and four eligible agencies."""

    def __init__(self, *, funding=Project.Funding.STATE, **item_fields):
        self.item = ServiceItemFactory(
            fee_mode=FeeMode.MARKET,
            reference_price_low=Decimal("50000"),
            reference_price_high=Decimal("150000"),
            statutory_time_limit_days=30,
            **item_fields,
        )
        self.owner = UserFactory(organisation=OrganisationFactory(kind=Role.PROJECT_OWNER))
        self.project = ProjectFactory(owner=self.owner.organisation, funding=funding)
        self.agencies = [AgencyFactory() for _ in range(4)]
        for agency in self.agencies:
            agency_scope_recompute(agency=agency)
        self.admins = [UserFactory(organisation=agency.organisation) for agency in self.agencies]

    def terms(self, **changes) -> RequestTerms:
        values = {
            "service_item": self.item,
            "budget": Decimal("200000"),
            "selection_method": SelectionMethod.RANDOM_DRAW,
            "quote_deadline": NOW + datetime.timedelta(days=3),
            **changes,
        }
        return RequestTerms(**values)

    def draft(self, **changes) -> PurchaseRequest:
        return purchase_request_create(
            actor=self.owner, project=self.project, terms=self.terms(**changes)
        )

    def published(self, **changes) -> PurchaseRequest:
        return purchase_request_publish(actor=self.owner, purchase_request=self.draft(**changes))

    def quote(self, purchase_request, index, amount, **extra) -> Quote:
        return quote_submit(
            actor=self.admins[index],
            purchase_request=purchase_request,
            amount=amount,
            committed_time_limit_days=extra.pop("days", 20),
            **extra,
        )
