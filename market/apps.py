from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = _("Marketplace")

    def ready(self) -> None:
        from core.status import status_changed
        from market import receivers
        from market.models import PurchaseRequest

        status_changed.connect(
            receivers.purchase_request_status_changed,
            sender=PurchaseRequest,
            dispatch_uid="market.purchase_request_status_changed",
        )
