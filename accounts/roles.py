"""Each role is a Django group; this module is the one place that says what each may do."""

from typing import Any

from django.contrib.auth.models import Group, Permission

from accounts.models import Role

# Model-level permissions ("app_label.codename"). What a member may do to one particular
# object (its own organisation, its own quotes) is granted per object with django-guardian.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.PROJECT_OWNER: (
        "market.add_project",
        "market.add_purchaserequest",
    ),
    Role.AGENCY: (),
    Role.REGULATOR: (
        "wagtailadmin.access_admin",
        "catalogue.add_serviceitem",
        "catalogue.change_serviceitem",
        "catalogue.view_serviceitem",
        "catalogue.add_qualificationtype",
        "catalogue.change_qualificationtype",
        "catalogue.view_qualificationtype",
        "market.add_regionalassessment",
        "market.change_regionalassessment",
        "market.view_regionalassessment",
        "market.change_purchasingrules",
        "core.add_region",
        "core.change_region",
        "core.delete_region",
        "core.view_region",
        "accounts.view_organisation",
        "core.view_calendarday",
        "core.add_calendarday",
        "core.change_calendarday",
        "core.delete_calendarday",
        "core.view_calendaryear",
        "core.add_calendaryear",
        "core.view_searchsynonym",
        "core.add_searchsynonym",
        "core.change_searchsynonym",
        "core.delete_searchsynonym",
    ),
    # The back office, for its items' model contracts only (R5, contracts/admin/): every other
    # page there asks for the regulator's role or for a model permission this group does not
    # hold — not even the catalogue's view permission, which would open its list.
    Role.APPROVAL_DEPARTMENT: ("wagtailadmin.access_admin",),
}


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=role.value)
    return group


def roles_sync() -> bool:
    """Make every role group hold exactly the permissions listed above.

    Returns False, changing nothing, while some of those permissions do not exist yet.
    """
    wanted = {name for names in ROLE_PERMISSIONS.values() for name in names}
    found = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.select_related("content_type")
        if f"{permission.content_type.app_label}.{permission.codename}" in wanted
    }
    if len(found) != len(wanted):
        return False
    for role, names in ROLE_PERMISSIONS.items():
        role_group(role).permissions.set([found[name] for name in names])
    return True


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate fires once per app, and each app's permissions are created by its own
    # signal, so the groups are filled in by whichever signal first finds them all there.
    roles_sync()
