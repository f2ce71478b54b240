"""The marketplace's models: projects, purchase requests, sealed quotes and selection."""

from market.models.purchasing import (
    AwardDecline,
    Invitation,
    Objection,
    Project,
    ProjectClassification,
    PurchaseRequest,
    PurchaseRequestEvent,
    PurchaseRequestExclusion,
    Quote,
    QuoteMember,
    QuoteReceipt,
    RegionalAssessment,
    SelectionMethod,
)
from market.models.rules import PurchasingRules

__all__ = [
    "AwardDecline",
    "Invitation",
    "Objection",
    "Project",
    "ProjectClassification",
    "PurchaseRequest",
    "PurchaseRequestEvent",
    "PurchaseRequestExclusion",
    "PurchasingRules",
    "Quote",
    "QuoteMember",
    "QuoteReceipt",
    "RegionalAssessment",
    "SelectionMethod",
]
