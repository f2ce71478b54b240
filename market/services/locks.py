"""Row locks for purchasing, in one place.

Every write to a purchase request or its quotes — a quote, a withdrawal, a cancellation, the
clock's moves, a selection, an objection — first takes the request's row lock. So a quote and
the deadline can never both win: whichever holds the lock first decides, by the server clock
read while holding it. A write that also changes an objection takes the request first, then
the objection, always in that order.
"""

from core.status import lock_for_update
from market.models import PurchaseRequest


def purchase_request_lock(purchase_request: PurchaseRequest) -> PurchaseRequest:
    return lock_for_update(purchase_request, "project", "service_item")
