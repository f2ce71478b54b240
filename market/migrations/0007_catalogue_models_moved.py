"""Purchase requests point at `catalogue.ServiceItem`, and the catalogue's models leave the
`market` state (no SQL: the tables now belong to `catalogue`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0006_catalogue_tables_renamed"),
        ("catalogue", "0001_initial"),
        ("agencies", "0004_catalogue_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="purchaserequest",
                    name="service_item",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="purchase_requests",
                        to="catalogue.serviceitem",
                        verbose_name="service item",
                    ),
                ),
                migrations.DeleteModel(name="ServiceItemVersion"),
                migrations.DeleteModel(name="QualificationRequirement"),
                migrations.DeleteModel(name="ServiceItem"),
                migrations.DeleteModel(name="QualificationType"),
            ],
        ),
    ]
