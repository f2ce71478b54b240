"""Who may do what: the one place a role or a right is spelled out (django-rules predicates).

Views, services and templates ask these questions; no other module compares roles. Services
call `require(...)`, which raises the refusal's ApplicationError; views and templates test the
same rules (`rules.test_rule`, `{% test_rule %}`) to decide what to show.

The superuser policy, written once: a platform administrator (superuser, no organisation)
keeps the back office and reviews agencies as a regulator does, but never acts for an agency
or a project owner — no rule below consults `is_superuser` except `is_platform_admin`, and
Django's "a superuser has every permission" shortcut is never relied on for them.

The predicates take their objects by duck type (an agency's `organisation_id`, a purchase
request's `project.owner_id`), so this bottom layer imports nothing from the apps above it.
"""

from typing import Any

import rules
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


@rules.predicate
def administers(user: Any, organisation: Any) -> bool:
    """A member holding the organisation's change permission (granted to its administrators
    in accounts/services.py), checked without the superuser shortcut."""
    return bool(
        is_member_of(user, organisation)
        and ObjectPermissionChecker(user).has_perm("change_organisation", organisation)
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

rules.add_rule("accounts.regulate", regulates)
rules.add_rule("accounts.administer_organisation", administers)
rules.add_rule("accounts.view_organisation", is_member_of)
rules.add_rule("agencies.act_for_agency", acts_for_agency)
rules.add_rule("agencies.view_own_agency", is_agency_member)
rules.add_rule("market.register_project", is_project_owner)
rules.add_rule("market.act_for_project", owns_project)
rules.add_rule("market.act_for_purchase_request", owns_purchase_request)
rules.add_rule("market.classify_project", is_classifying_department)
rules.add_rule("market.classify_projects", is_approval_department)

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
