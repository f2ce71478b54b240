"""A purchase request is `purchase_request` in code, never `request` (which is Django's HTTP
request): the foreign keys and the two models named after it are renamed, keeping every row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0007_catalogue_models_moved"),
    ]

    # The unique constraints name the renamed column; SQLite rebuilds a table on a rename,
    # so they are dropped first and made again on the new name.
    operations = [
        migrations.RemoveConstraint(model_name="invitation", name="invitation_unique"),
        migrations.RemoveConstraint(model_name="requestexclusion", name="exclusion_unique"),
        migrations.RemoveConstraint(model_name="quote", name="quote_one_per_agency"),
        migrations.RenameModel("RequestEvent", "PurchaseRequestEvent"),
        migrations.RenameModel("RequestExclusion", "PurchaseRequestExclusion"),
        migrations.RenameField("purchaserequestevent", "request", "purchase_request"),
        migrations.RenameField("purchaserequestexclusion", "request", "purchase_request"),
        migrations.RenameField("invitation", "request", "purchase_request"),
        migrations.RenameField("quote", "request", "purchase_request"),
        migrations.RenameField("objection", "request", "purchase_request"),
        migrations.RenameField("awarddecline", "request", "purchase_request"),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                fields=("purchase_request", "agency"), name="invitation_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="purchaserequestexclusion",
            constraint=models.UniqueConstraint(
                fields=("purchase_request", "agency"), name="exclusion_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.UniqueConstraint(
                fields=("purchase_request", "agency"), name="quote_one_per_agency"
            ),
        ),
    ]
