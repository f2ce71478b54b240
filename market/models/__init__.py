"""The marketplace's models: the catalogue, and purchasing (requests, quotes, selection)."""

from market.models.catalogue import (
    FeeMode,
    QualificationRequirement,
    QualificationType,
    RegionalAssessmentKind,
    ServiceItem,
    ServiceItemVersion,
)
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
    "FeeMode",
    "Invitation",
    "Objection",
    "Project",
    "PurchaseRequest",
    "QualificationRequirement",
    "QualificationType",
    "Quote",
    "QuoteMember",
    "QuoteReceipt",
    "RegionalAssessment",
    "RegionalAssessmentKind",
    "RequestEvent",
    "RequestExclusion",
    "SelectionMethod",
    "ServiceItem",
    "ServiceItemVersion",
]
