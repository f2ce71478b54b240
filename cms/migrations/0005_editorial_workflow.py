from django.db import migrations

EDITORS = "网站编辑"
REVIEWERS = "网站审核"
WORKFLOW = "网站内容审核"
TASK = "审核发布"
PAGE_PERMISSIONS = {
    # Editors write and submit for review; only reviewers publish.
    EDITORS: ("add_page", "change_page"),
    REVIEWERS: ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
}
PAGE_PERMISSION_NAMES = {
    "add_page": "Can add page",
    "change_page": "Can change page",
    "publish_page": "Publish any page",
    "lock_page": "Lock/unlock pages you've locked",
    "unlock_page": "Unlock any page",
}


def create_workflow(apps, schema_editor):
    """The site's editorial groups and its moderation workflow (draft → review → publish) on
    the home page and everything under it."""
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    HomePage = apps.get_model("cms.HomePage")

    home = HomePage.objects.using(db).order_by("pk").first()
    if home is None:
        return
    page_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="wagtailcore", model="page"
    )
    admin_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="wagtailadmin", model="admin"
    )
    access_admin, _ = Permission.objects.using(db).get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    groups = {}
    for name, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(access_admin)
        for codename in codenames:
            permission, _ = Permission.objects.using(db).get_or_create(
                content_type=page_type,
                codename=codename,
                defaults={"name": PAGE_PERMISSION_NAMES[codename]},
            )
            GroupPagePermission.objects.using(db).get_or_create(
                group=group, page_id=home.pk, permission=permission
            )
        groups[name] = group

    task_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task, created = GroupApprovalTask.objects.using(db).get_or_create(
        name=TASK, defaults={"content_type": task_type, "active": True}
    )
    if created:
        task.groups.set([groups[REVIEWERS]])
    workflow, created = Workflow.objects.using(db).get_or_create(
        name=WORKFLOW, defaults={"active": True}
    )
    if created:
        WorkflowTask.objects.using(db).create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.using(db).update_or_create(
        page_id=home.pk, defaults={"workflow": workflow}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_portal_settings_row"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
