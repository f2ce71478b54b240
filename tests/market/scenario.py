"""A small marketplace for purchasing tests: an owner with a project, a published item and
four eligible agencies, on a fixed clock (a Monday, 17:00 in Beijing)."""

import datetime
import secrets
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from agencies.services import agency_scope_recompute
from catalogue.models import FeeMode
from core.beacon import configured_chain
from market.models import Project, PurchaseRequest, Quote, SelectionMethod
from market.services.clock import purchase_request_advance, purchase_requests_advance_due
from market.services.quotes import quote_submit
from market.services.requests import (
    RequestTerms,
    purchase_request_create,
    purchase_request_publish,
)
from market.services.selection import draw_due
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.market.factories import ProjectFactory

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def close_and_draw(clock, purchase_request: PurchaseRequest, *, after=None) -> PurchaseRequest:
    """The clock's two moves after a deadline, as the sweep makes them: the deadline passes
    (`after` it, a minute by default) and the quotes are opened and fixed; then the draw's
    beacon round is published and the draw is made. The clock is left after that round."""
    clock.move_to(purchase_request.quote_deadline + (after or datetime.timedelta(minutes=1)))
    purchase_request = purchase_request_advance(
        purchase_request=PurchaseRequest.objects.get(pk=purchase_request.pk)
    )
    if purchase_request.status == PurchaseRequest.Status.SELECTING:
        # The round also settles the owner's later draws (ties in scored evaluation).
        clock.move_to(beacon_published(purchase_request))
        if draw_due(purchase_request):
            purchase_request = purchase_request_advance(purchase_request=purchase_request)
    return purchase_request


def sweeps_after_deadline(clock, purchase_request: PurchaseRequest) -> PurchaseRequest:
    """The same two moves made by the scheduled sweep over every request: a minute after the
    deadline, then a second after the draw's beacon round is published."""
    purchase_request = PurchaseRequest.objects.get(pk=purchase_request.pk)
    clock.move_to(purchase_request.quote_deadline + datetime.timedelta(minutes=1))
    purchase_requests_advance_due()
    clock.move_to(max(beacon_published(purchase_request), timezone.now()))
    purchase_requests_advance_due()
    return PurchaseRequest.objects.get(pk=purchase_request.pk)


def beacon_published(purchase_request: PurchaseRequest) -> datetime.datetime:
    """A second after the request's beacon round is published."""
    published = configured_chain().round_time(purchase_request.beacon_round)
    return published + datetime.timedelta(seconds=1)


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
            # The agency's browser makes the nonce; here the test stands in for it.
            nonce=extra.pop("nonce", secrets.token_hex(16)),
            **extra,
        )
