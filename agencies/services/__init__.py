"""Writes for the agency roster, one module per concern; import from here."""

from agencies.services.affiliations import affiliation_add, affiliation_end, affiliation_record
from agencies.services.expiry import qualifications_expiry_run
from agencies.services.practitioners import practitioner_add, practitioner_remove
from agencies.services.profile import agency_profile_update
from agencies.services.qualifications import (
    qualification_add,
    qualification_remove,
    qualification_update,
)
from agencies.services.registration import CertificateInput, agency_register
from agencies.services.scope import agency_scope_recompute, scopes_recompute_for_item
from agencies.services.scope_settings import scope_settings_update
from agencies.services.staff_register import (
    staff_register_conflicts,
    staff_register_import,
    staff_register_read,
)
from agencies.services.status import (
    agency_approve,
    agency_exit,
    agency_reenter,
    agency_reinstate,
    agency_reject,
    agency_submit_for_review,
    agency_suspend,
)

__all__ = [
    "CertificateInput",
    "affiliation_add",
    "affiliation_end",
    "affiliation_record",
    "agency_approve",
    "agency_exit",
    "agency_profile_update",
    "agency_reenter",
    "agency_register",
    "agency_reinstate",
    "agency_reject",
    "agency_scope_recompute",
    "agency_submit_for_review",
    "agency_suspend",
    "practitioner_add",
    "practitioner_remove",
    "qualification_add",
    "qualification_remove",
    "qualification_update",
    "qualifications_expiry_run",
    "scope_settings_update",
    "scopes_recompute_for_item",
    "staff_register_conflicts",
    "staff_register_import",
    "staff_register_read",
]
