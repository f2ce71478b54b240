from contracts.models.contracts import (
    Contract,
    ContractEvent,
    ContractSignature,
    ContractVersion,
    Deliverable,
    Milestone,
    Party,
)
from contracts.models.pki import SigningCertificate
from contracts.models.templates import ContractTemplate, ContractTemplateVersion

__all__ = [
    "Contract",
    "ContractEvent",
    "ContractSignature",
    "ContractTemplate",
    "ContractTemplateVersion",
    "ContractVersion",
    "Deliverable",
    "Milestone",
    "Party",
    "SigningCertificate",
]
