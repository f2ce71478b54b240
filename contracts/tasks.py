import contextlib
import datetime

from celery import shared_task

from contracts.models import ContractVersion
from contracts.pki import crl_issue
from contracts.services import delivery, lifecycle, notifications
from core.exceptions import ApplicationError
from core.outbox import outbox_task
from market.models import PurchaseRequest


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def crl_reissue_daily() -> None:
    """A fresh CRL every day, so the one served never passes its next update (7 days) even
    when nothing is revoked (safe to run again)."""
    crl_issue()


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def contract_create(purchase_request_id: int) -> None:
    """The award is confirmed: make its contract (safe to run twice). A missing model
    contract is not an error to retry: the sweep makes the contract once there is one."""
    with contextlib.suppress(ApplicationError):
        lifecycle.contract_create(
            purchase_request=PurchaseRequest.objects.get(pk=purchase_request_id)
        )


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def contract_render(version_id: int) -> None:
    lifecycle.contract_render(version=ContractVersion.objects.get(pk=version_id))


@shared_task
def contracts_sweep() -> dict[str, int]:
    """Every few minutes: contracts for confirmed awards that lack one, renderings lost."""
    return lifecycle.contracts_sweep()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def contracts_overdue_remind_daily() -> int:
    """Every morning: remind both parties of each contract run past its committed time limit,
    once a day (R10; safe to run again the same day)."""
    return len(delivery.contracts_overdue_remind())


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def contract_overdue_notify(contract_id: int, on: str) -> int:
    return notifications.contract_overdue_notify(
        contract_id=contract_id, on=datetime.date.fromisoformat(on)
    )


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def contract_status_notify(contract_id: int, to_status: str) -> int:
    return notifications.contract_status_notify(contract_id=contract_id, to_status=to_status)
