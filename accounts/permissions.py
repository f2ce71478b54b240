"""Who may do what: the one place a role or a right is spelled out (django-rules predicates).

Views, services and templates ask these questions; no other module compares roles. Services
call `require(...)`, which raises the refusal's ApplicationError; views and templates test the
same rules (`rules.test_rule`, `{% test_rule %}`) to decide what to show.

The superuser policy, written once: a platform administrator (superuser) keeps the back
office and reviews agencies there as a regulator does, but holds no marketplace role — not an
agency's, an owner's, a department's, nor a regulator's on the site's own pages — even if put
into an organisation: `User.role` is None for a superuser, so every predicate built on
`_role` refuses them. No rule below consults `is_superuser` except `is_platform_admin` (the
back office), and Django's "a superuser has every permission" shortcut is never relied on.

The predicates take their objects by duck type (an agency's `organisation_id`, a purchase
request's `project.owner_id`), so this bottom layer imports nothing from the apps above it.
"""

from typing import Any

import rules
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from accounts.models import Role
from core.exceptions import ApplicationError


def _role(user: Any) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return user.role


@rules.predicate
def is_platform_admin(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


@rules.predicate
def is_regulator(user: Any) -> bool:
    return _role(user) == Role.REGULATOR


@rules.predicate
def is_approval_department(user: Any) -> bool:
    return _role(user) == Role.APPROVAL_DEPARTMENT


@rules.predicate
def is_project_owner(user: Any) -> bool:
    return _role(user) == Role.PROJECT_OWNER


@rules.predicate
def is_agency_user(user: Any) -> bool:
    return _role(user) == Role.AGENCY


@rules.predicate
def is_member_of(user: Any, organisation: Any) -> bool:
    return (
        _role(user) is not None
        and organisation is not None
        and user.organisation_id == organisation.pk
    )


# Where a user object keeps its object-permission checker: a request asks the same question
# in its view and again in the service it calls, and the checker answers the second time
# from what it read the first (as Django keeps `_perm_cache` on the user for model
# permissions). membership_permissions_grant forgets it when it changes the user's rights.
_CHECKER_ATTRIBUTE = "_object_permission_checker"


def object_permission_checker(user: Any) -> ObjectPermissionChecker:
    checker = getattr(user, _CHECKER_ATTRIBUTE, None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        setattr(user, _CHECKER_ATTRIBUTE, checker)
    return checker


def object_permission_checker_forget(user: Any) -> None:
    """After the user's object permissions changed: the next question reads them afresh."""
    user.__dict__.pop(_CHECKER_ATTRIBUTE, None)


@rules.predicate
def administers(user: Any, organisation: Any) -> bool:
    """A member holding the organisation's change permission (granted to its administrators
    in accounts/services.py), checked without the superuser shortcut."""
    return bool(
        is_member_of(user, organisation)
        and object_permission_checker(user).has_perm("change_organisation", organisation)
    )


@rules.predicate
def acts_for_agency(user: Any, agency: Any) -> bool:
    """Quotes, edits, declines and objects for the agency: one of its administrators."""
    return agency is not None and administers(user, agency.organisation)


@rules.predicate
def is_agency_member(user: Any, agency: Any) -> bool:
    """Sees the agency's own pages (its quotes, its drafts of its record)."""
    return agency is not None and _role(user) == Role.AGENCY and user.organisation_id == agency.pk


@rules.predicate
def owns_project(user: Any, project: Any) -> bool:
    """Acts for the project's owner. A department — approval or regulator — never picks,
    invites or excludes an agency (R4), so only the owner's members do."""
    return (
        project is not None
        and _role(user) == Role.PROJECT_OWNER
        and user.organisation_id == project.owner_id
    )


@rules.predicate
def owns_purchase_request(user: Any, purchase_request: Any) -> bool:
    return purchase_request is not None and owns_project(user, purchase_request.project)


@rules.predicate
def is_classifying_department(user: Any, classification: Any) -> bool:
    """Answers a request to classify a project as special or major: a member of the
    approval department it was addressed to (R8)."""
    return (
        classification is not None
        and _role(user) == Role.APPROVAL_DEPARTMENT
        and user.organisation_id == classification.department_id
    )


# Regulators' work in the back office; the superuser policy above, in one expression.
regulates = is_regulator | is_platform_admin


# Private files (core/files.py) ------------------------------------------------------------------


@rules.predicate
def sees_agency_documents(user: Any, agency: Any) -> bool:
    """An agency's licence scan and certificates: its own members and regulators."""
    return agency is not None and bool(is_agency_member(user, agency) or regulates(user))


@rules.predicate
def certificate_scan_is_public(user: Any, qualification: Any) -> bool:
    """Whether the roster shows verified certificates' scans to everyone is one setting,
    PUBLIC_CERTIFICATE_SCANS (off by default: the roster shows the certificate's data)."""
    return bool(
        qualification is not None
        and settings.PUBLIC_CERTIFICATE_SCANS
        and qualification.status == "verified"
        and qualification.agency.status == "active"
    )


@rules.predicate
def sees_certificate_scan(user: Any, qualification: Any) -> bool:
    return qualification is not None and bool(
        certificate_scan_is_public(user, qualification)
        or sees_agency_documents(user, qualification.agency)
    )


@rules.predicate
def sees_proposal(user: Any, quote: Any) -> bool:
    """A proposal can hold the price, so it is sealed like the amount: its agency alone
    until the quotes are opened, then also the owner (who evaluates) and regulators."""
    if quote is None:
        return False
    if is_agency_member(user, quote.agency):
        return True
    opened = quote.purchase_request.opened_at is not None
    return opened and bool(
        owns_purchase_request(user, quote.purchase_request) or is_regulator(user)
    )


rules.add_rule("accounts.regulate", regulates)
# Who must give a second factor before their session counts (accounts/two_factor.py).
rules.add_rule(
    "accounts.needs_second_factor", is_regulator | is_approval_department | is_platform_admin
)
rules.add_rule("accounts.administer_organisation", administers)
rules.add_rule("accounts.view_organisation", is_member_of)
rules.add_rule("agencies.act_for_agency", acts_for_agency)
rules.add_rule("agencies.view_own_agency", is_agency_member)
rules.add_rule("market.register_project", is_project_owner)
rules.add_rule("market.act_for_project", owns_project)
rules.add_rule("market.act_for_purchase_request", owns_purchase_request)
rules.add_rule("market.classify_project", is_classifying_department)
rules.add_rule("market.classify_projects", is_approval_department)
rules.add_rule("agencies.view_documents", sees_agency_documents)
rules.add_rule("agencies.view_certificate_scan", sees_certificate_scan)
rules.add_rule("market.view_proposal", sees_proposal)

# The refusal each rule gives when a service is asked by someone it does not allow.
REFUSALS: dict[str, tuple[Any, str]] = {
    "accounts.regulate": (_("Only regulators may do this."), "not_regulator"),
    "accounts.administer_organisation": (
        _("You may not change this organisation's details."),
        "not_organisation_admin",
    ),
    "agencies.act_for_agency": (
        _("Only the agency's administrators may do this."),
        "not_agency_admin",
    ),
    "market.register_project": (_("Only project owners register projects."), "not_owner"),
    "market.act_for_project": (_("Only the project's owner may do this."), "not_owner"),
    "market.act_for_purchase_request": (_("Only the project's owner may do this."), "not_owner"),
    "market.classify_project": (
        _("Only the approval department asked may classify this project."),
        "not_classifying_department",
    ),
}


def allowed(rule: str, user: Any, obj: Any = None) -> bool:
    return rules.test_rule(rule, user, obj)


def require(rule: str, user: Any, obj: Any = None, *, message: Any = None) -> None:
    """Raise the rule's refusal unless `user` passes it. `message` words the refusal for the
    action at hand; the code stays the rule's.

    Raises ApplicationError."""
    if rules.test_rule(rule, user, obj):
        return
    default_message, code = REFUSALS[rule]
    if rule == "accounts.regulate" and is_approval_department(user):
        message, code = (
            _(
                "Approval departments may not review, choose or recommend agencies; "
                "this is the regulator's task."
            ),
            "approval_department_may_not_review",
        )
    raise ApplicationError(str(message or default_message), code=code)


# An agency's quote page (market/agency_views.py) ------------------------------------------------


@rules.predicate
def agency_is_active(user: Any, agency: Any) -> bool:
    """Active on the roster: a pending, suspended or exited agency does not quote."""
    return agency is not None and agency.status == "active"


rules.add_rule("market.quote_for_agency", acts_for_agency & agency_is_active)
REFUSALS["market.quote_for_agency"] = (
    _("Only the administrators of an agency active on the roster may quote."),
    "agency_not_active",
)


# Model contracts (R5) ---------------------------------------------------------------------------


@rules.predicate
def keeps_item_templates(user: Any, service_item: Any) -> bool:
    """The item's approval department keeps its model contracts, with the regulator."""
    return (
        service_item is not None
        and _role(user) == Role.APPROVAL_DEPARTMENT
        and user.organisation_id == service_item.approval_department_id
    )


rules.add_rule("contracts.keep_template", keeps_item_templates | regulates)
REFUSALS["contracts.keep_template"] = (
    _("Only the item's approval department and regulators keep its model contracts."),
    "not_template_keeper",
)

# The back office's model-contract pages (contracts/admin/): every approval department keeps
# its own items' model contracts there, and regulators all of them.
rules.add_rule("contracts.keep_templates", is_approval_department | regulates)


# Contracts (R5, R10) ------------------------------------------------------------------------


@rules.predicate
def acts_for_contract_owner(user: Any, contract: Any) -> bool:
    """Signs, accepts and returns for the project owner: one of its administrators."""
    return (
        contract is not None
        and owns_project(user, contract.purchase_request.project)
        and (administers(user, contract.owner))
    )


@rules.predicate
def acts_for_contract_agency(user: Any, contract: Any) -> bool:
    """Signs and delivers for the agency: one of its administrators."""
    return contract is not None and acts_for_agency(user, contract.agency)


@rules.predicate
def oversees_contract(user: Any, contract: Any) -> bool:
    """The approval department whose approval the service serves follows its contracts."""
    return (
        contract is not None
        and _role(user) == Role.APPROVAL_DEPARTMENT
        and user.organisation_id == contract.purchase_request.service_item.approval_department_id
    )


@rules.predicate
def is_contract_party(user: Any, contract: Any) -> bool:
    return contract is not None and bool(
        owns_project(user, contract.purchase_request.project)
        or is_agency_member(user, contract.agency)
    )


# The contract's text, PDF and deliverables: its parties, the department it serves, regulators.
rules.add_rule("contracts.view_contract", is_contract_party | oversees_contract | regulates)
REFUSALS["contracts.view_contract"] = (
    _("Only the contract's parties, its approval department and regulators may see it."),
    "not_contract_reader",
)
rules.add_rule("contracts.act_for_owner", acts_for_contract_owner)
REFUSALS["contracts.act_for_owner"] = (
    _("Only the project owner's administrators may do this."),
    "not_owner_admin",
)
rules.add_rule("contracts.act_for_agency", acts_for_contract_agency)
REFUSALS["contracts.act_for_agency"] = (
    _("Only the agency's administrators may do this."),
    "not_agency_admin",
)


# Ratings (R12) ----------------------------------------------------------------------------------

rules.add_rule("credit.rate_as_department", oversees_contract)
REFUSALS["credit.rate_as_department"] = (
    _("Only the approval department of the contract's service item may rate it as such."),
    "not_contract_department",
)
