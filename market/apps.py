from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = _("Marketplace")

    def ready(self) -> None:
        from agencies.signals import agency_eligibility_changed
        from core.signals import calendar_year_confirmed
        from core.status import status_changed
        from market import receivers
        from market.models import PurchaseRequest, Quote
        from market.services import public_log  # noqa: F401  (names the log's entry kinds)
        from market.signals import quote_invalidated

        status_changed.connect(
            receivers.purchase_request_status_changed,
            sender=PurchaseRequest,
            dispatch_uid="market.purchase_request_status_changed",
        )
        agency_eligibility_changed.connect(
            receivers.agency_eligibility_changed, dispatch_uid="market.agency_eligibility_changed"
        )
        quote_invalidated.connect(
            receivers.quote_invalidated, sender=Quote, dispatch_uid="market.quote_invalidated"
        )
        calendar_year_confirmed.connect(
            receivers.calendar_year_confirmed, dispatch_uid="market.calendar_year_confirmed"
        )
