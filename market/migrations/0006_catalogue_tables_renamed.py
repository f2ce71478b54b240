"""The catalogue moves to its own app (`catalogue`). Its four tables are renamed in place, so
every row, id and foreign key stays as it is; the model state follows in catalogue 0001."""

from django.db import migrations

TABLES = {
    "ServiceItem": "catalogue_serviceitem",
    "QualificationType": "catalogue_qualificationtype",
    "QualificationRequirement": "catalogue_qualificationrequirement",
    "ServiceItemVersion": "catalogue_serviceitemversion",
}


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0005_notice_list_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=model, table=table)
                for model, table in TABLES.items()
            ],
        ),
    ]
