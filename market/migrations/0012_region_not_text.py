"""The free-text region columns go, now that every row points into the region tree (0011).
A separate migration: PostgreSQL will not alter a table whose rows the same transaction has
just updated under a deferred foreign key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0011_regions_and_classification"),
    ]

    operations = [
        migrations.RemoveField(model_name="project", name="region"),
        migrations.RemoveField(model_name="regionalassessment", name="region"),
        migrations.RenameField(model_name="project", old_name="area", new_name="region"),
        migrations.AlterField(
            model_name="project",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects",
                to="core.region",
                verbose_name="region",
            ),
        ),
    ]
