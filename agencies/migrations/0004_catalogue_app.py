"""The roster's links to the catalogue now point at the `catalogue` app (state only: the
tables were renamed in market 0006, and the columns and constraints are unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_agency_credit_score"),
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="agencystatusevent",
                    name="cited_qualifications",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="A rejection names the legally required qualification missing or invalid.",
                        related_name="+",
                        to="catalogue.qualificationtype",
                        verbose_name="qualifications cited",
                    ),
                ),
                migrations.AlterField(
                    model_name="agencyservicescope",
                    name="service_item",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agency_scopes",
                        to="catalogue.serviceitem",
                        verbose_name="service item",
                    ),
                ),
                migrations.AlterField(
                    model_name="qualification",
                    name="qualification_type",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="catalogue.qualificationtype",
                        verbose_name="qualification",
                    ),
                ),
            ],
        ),
    ]
