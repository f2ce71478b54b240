"""Uploaded documents move to the private storage, under random names (core/files.py)."""

import core.files
from django.db import migrations, models

from core.migration_helpers import files_to_private_storage


def to_private_storage(apps, schema_editor):
    files_to_private_storage(apps.get_model("agencies", "Agency"), ["business_licence"], {"business_licence": "agencies/licences"})
    files_to_private_storage(apps.get_model("agencies", "Qualification"), ["scan"], {"scan": "agencies/qualifications"})


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0008_certificate_verification'),
    ]

    operations = [
        migrations.AlterField(
            model_name='agency',
            name='business_licence',
            field=models.FileField(blank=True, storage=core.files.private_storage, upload_to=core.files.RandomName('agencies/licences'), verbose_name='business licence scan'),
        ),
        migrations.AlterField(
            model_name='qualification',
            name='scan',
            field=models.FileField(blank=True, storage=core.files.private_storage, upload_to=core.files.RandomName('agencies/qualifications'), verbose_name='certificate scan'),
        ),
        migrations.RunPython(to_private_storage, migrations.RunPython.noop),
    ]
