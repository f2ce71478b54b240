"""Projects and regional assessments pick their areas from the region tree (R8), and a
special or major project is a classification its approval department confirms.

Rows from before name their region as free text. Each distinct name becomes a top-level
region, linked to the rows that used it, for regulators to place in the tree (moving a region
keeps its links); nothing is guessed about which names mean the same area. The owner's old
"special or major" tick is cleared: it was never a department's decision, and an owner who
needs the exemption asks for it again."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# treebeard's materialised path: four base-36 digits per level.
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _root_path(position: int) -> str:
    digits = ""
    for _ in range(4):
        position, digit = divmod(position, 36)
        digits = _ALPHABET[digit] + digits
    return digits


def regions_from_text(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Project = apps.get_model("market", "Project")
    RegionalAssessment = apps.get_model("market", "RegionalAssessment")
    names = set(Project.objects.values_list("region", flat=True))
    names |= set(RegionalAssessment.objects.values_list("region", flat=True))
    names = sorted(name.strip() for name in names if name and name.strip())
    existing = {region.name: region for region in Region.objects.filter(depth=1)}
    last = Region.objects.filter(depth=1).order_by("-path").first()
    position = int(last.path, 36) if last else 0
    for name in names:
        if name not in existing:
            position += 1
            existing[name] = Region.objects.create(
                path=_root_path(position), depth=1, numchild=0, name=name, kind="district"
            )
    for project in Project.objects.all():
        project.area = existing[project.region.strip()]
        project.is_special_or_major = False
        project.save(update_fields=["area", "is_special_or_major"])
    for assessment in RegionalAssessment.objects.all():
        assessment.areas.add(existing[assessment.region.strip()])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0003_region"),
        ("market", "0010_quote_outside_range_justification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.region",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="approval_department",
            field=models.ForeignKey(
                blank=True,
                help_text="The department that approves the project.",
                limit_choices_to={"kind": "approval_department"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="approved_projects",
                to="accounts.organisation",
                verbose_name="approval department",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="is_special_or_major",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="special or major project"
            ),
        ),
        migrations.AddField(
            model_name="regionalassessment",
            name="areas",
            field=models.ManyToManyField(
                help_text="Every area inside a chosen area is covered too.",
                related_name="regional_assessments",
                to="core.region",
                verbose_name="areas covered",
            ),
        ),
        migrations.CreateModel(
            name="ProjectClassification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField(verbose_name="owner's reason")),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested at")),
                ("status", models.CharField(choices=[("pending", "Awaiting the approval department"), ("confirmed", "Confirmed"), ("refused", "Refused")], default="pending", max_length=16, verbose_name="status")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                ("decision_note", models.TextField(blank=True, verbose_name="department's note")),
                ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="decided by")),
                ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="project_classifications", to="accounts.organisation", verbose_name="approval department")),
                ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="classifications", to="market.project", verbose_name="project")),
                ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="requested by")),
            ],
            options={
                "verbose_name": "special or major project classification",
                "verbose_name_plural": "special or major project classifications",
                "ordering": ["-requested_at"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("status", "pending")), fields=("project",), name="project_classification_one_pending")],
            },
        ),
        migrations.RunPython(regions_from_text, migrations.RunPython.noop),
    ]
