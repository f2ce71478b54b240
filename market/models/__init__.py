"""The marketplace's models: projects, purchase requests, sealed quotes and selection."""

from market.models.purchasing import (
    AwardDecline,
    Invitation,
    Objection,
    Project,
    PurchaseRequest,
    Quote,
    QuoteMember,
    QuoteReceipt,
    RegionalAssessment,
    RequestEvent,
    RequestExclusion,
    SelectionMethod,
)

__all__ = [
    "AwardDecline",
    "Invitation",
    "Objection",
    "Project",
    "PurchaseRequest",
    "Quote",
    "QuoteMember",
    "QuoteReceipt",
    "RegionalAssessment",
    "RequestEvent",
    "RequestExclusion",
    "SelectionMethod",
]
