"""Re-checking a purchase request's draw from public data alone: the secret revealed after the draw,
the commitment published with the notice, the receipts and opened quotes published at
opening. Used by `manage.py verify_draw` and the public page /verify/draw/<number>/."""

from dataclasses import dataclass

from market import draws
from market.models import PurchaseRequest, Quote


@dataclass(frozen=True)
class DrawCheck:
    purchase_request: PurchaseRequest
    record: draws.DrawRecord | None
    result: draws.VerifyResult

    @property
    def ok(self) -> bool:
        return self.result.ok


def public_record(purchase_request: PurchaseRequest) -> draws.DrawRecord | None:
    """The draw record rebuilt from what the notice page publishes, not from the stored one:
    receipts and amounts from the opened quotes, the secret as revealed. The stored record
    supplies only what the page also shows for it (credit scores, evaluators' totals) and the
    result to compare against."""
    stored = purchase_request.draw_record
    if not stored or not purchase_request.draw_secret:
        return None
    quotes = list(
        purchase_request.quotes.filter(status=Quote.Status.SUBMITTED).select_related(
            "agency__organisation"
        )
    )
    valid = [quote for quote in quotes if quote.valid]
    parameters = dict(stored["parameters"])
    if "prices" in parameters:
        parameters["prices"] = {
            quote.agency.selection_key: str(quote.opened_amount) for quote in valid
        }
    return draws.DrawRecord(
        method=stored["method"],
        secret=purchase_request.draw_secret,
        commitment=purchase_request.draw_commitment,
        receipts=sorted({quote.receipt for quote in quotes}),
        candidates=sorted(quote.agency.selection_key for quote in valid),
        parameters=parameters,
        result=stored["result"],
        beacon=stored.get("beacon"),
    )


def verify_request_draw(purchase_request: PurchaseRequest) -> DrawCheck:
    record = public_record(purchase_request)
    if record is None:
        return DrawCheck(
            purchase_request,
            None,
            draws.VerifyResult(ok=False, problems=["no draw has been made yet"]),
        )
    return DrawCheck(
        purchase_request,
        record,
        draws.verify(record, published_commitment=purchase_request.draw_commitment),
    )
