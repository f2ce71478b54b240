from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from contracts import receivers
        from contracts.models import Contract
        from contracts.services import lifecycle  # noqa: F401  (names the log's entry kind)
        from core.status import status_changed
        from market.models import PurchaseRequest

        status_changed.connect(
            receivers.purchase_request_status_changed,
            sender=PurchaseRequest,
            dispatch_uid="contracts.purchase_request_status_changed",
        )
        status_changed.connect(
            receivers.contract_status_changed,
            sender=Contract,
            dispatch_uid="contracts.contract_status_changed",
        )
