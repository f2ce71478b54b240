from django import template

from market.models import PurchaseRequest
from market.selectors import purchase_request_shown_status

register = template.Library()


@register.filter
def shown_status(purchase_request: PurchaseRequest) -> str:
    """The status a reader should see now, as the server clock implies it (a page never
    moves a status itself)."""
    return str(purchase_request_shown_status(purchase_request).label)


@register.filter
def shown_status_code(purchase_request: PurchaseRequest) -> str:
    return purchase_request_shown_status(purchase_request).code
