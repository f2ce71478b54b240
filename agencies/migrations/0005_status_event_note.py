"""Every status event has a `note` (core.models.StatusEvent); the agency's was `reason`."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_catalogue_app"),
    ]

    operations = [
        migrations.RenameField("agencystatusevent", "reason", "note"),
    ]
