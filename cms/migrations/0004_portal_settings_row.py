from django.db import migrations


def create_settings(apps, schema_editor):
    """Every site gets its settings row here: Wagtail would otherwise create it on the first
    page view, and a GET must not write."""
    db = schema_editor.connection.alias
    Site = apps.get_model("wagtailcore.Site")
    PortalSettings = apps.get_model("cms.PortalSettings")
    for site in Site.objects.using(db).all():
        PortalSettings.objects.using(db).get_or_create(
            site=site, defaults={"organiser": "眉山市彭山区行政审批局"}
        )


class Migration(migrations.Migration):
    dependencies = [("cms", "0003_portal_pages")]

    operations = [migrations.RunPython(create_settings, migrations.RunPython.noop)]
