"""Uploaded documents move to the private storage, under random names (core/files.py)."""

import core.files
from django.db import migrations, models

from core.migration_helpers import files_to_private_storage


def to_private_storage(apps, schema_editor):
    files_to_private_storage(apps.get_model("market", "Quote"), ["proposal"], {"proposal": "market/proposals"})
    files_to_private_storage(apps.get_model("market", "RegionalAssessment"), ["result_document"], {"result_document": "market/regional"})


class Migration(migrations.Migration):

    dependencies = [
        ('market', '0012_region_not_text'),
    ]

    operations = [
        migrations.AlterField(
            model_name='quote',
            name='proposal',
            field=models.FileField(blank=True, storage=core.files.private_storage, upload_to=core.files.RandomName('market/proposals'), verbose_name='proposal'),
        ),
        migrations.AlterField(
            model_name='regionalassessment',
            name='result_document',
            field=models.FileField(blank=True, storage=core.files.private_storage, upload_to=core.files.RandomName('market/regional'), verbose_name='result document'),
        ),
        migrations.RunPython(to_private_storage, migrations.RunPython.noop),
    ]
