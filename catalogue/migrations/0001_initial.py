"""The catalogue's models, moved here from `market` without touching a row.

`market` 0006 renamed the tables; this migration only tells Django's model state that the
models now live in `catalogue` (no SQL), and moves their content types so that permissions
granted on them, the search index and the admin log stay attached."""

import django.core.validators
import django.db.models.deletion
import modelsearch.index
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ["serviceitem", "qualificationtype", "qualificationrequirement", "serviceitemversion"]


def _move_content_types(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label=source, model__in=MOVED_MODELS
    ).update(app_label=target)


def content_types_to_catalogue(apps, schema_editor):
    _move_content_types(apps, schema_editor, "market", "catalogue")


def content_types_to_market(apps, schema_editor):
    _move_content_types(apps, schema_editor, "catalogue", "market")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('market', '0006_catalogue_tables_renamed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='QualificationType',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('grades', models.JSONField(blank=True, default=list, help_text='For example 甲级, 乙级, 丙级. Leave empty where the qualification has no grades.', verbose_name='grades, highest first')),
                ('legal_basis', models.CharField(blank=True, max_length=255, verbose_name='legal basis')),
            ],
            options={
                'verbose_name': 'qualification type',
                'verbose_name_plural': 'qualification types',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ServiceItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('related_approval_item', models.CharField(max_length=200, verbose_name='related approval item')),
                ('legal_basis', models.TextField(verbose_name='legal basis')),
                ('legal_references', models.TextField(blank=True, help_text='One law, regulation or document per line, with its article.', verbose_name='legal references')),
                ('statutory_time_limit_days', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='statutory time limit (working days)')),
                ('fee_mode', models.CharField(choices=[('government_set', 'Government-set price'), ('government_guidance', 'Government guidance ceiling'), ('market', 'Market price with a published reference range')], max_length=32, verbose_name='fee mode')),
                ('fee_basis', models.TextField(blank=True, verbose_name='fee basis')),
                ('fee_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='government-set price (yuan)')),
                ('fee_ceiling', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='guidance price ceiling (yuan)')),
                ('reference_price_low', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='reference price from (yuan)')),
                ('reference_price_high', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='reference price to (yuan)')),
                ('paid_by_department', models.BooleanField(default=False, help_text='The department commissions the service and pays from its budget (R2).', verbose_name='paid by the approval department')),
                ('guide_materials', models.TextField(blank=True, help_text='One per line.', verbose_name='materials the owner provides')),
                ('guide_steps', models.TextField(blank=True, help_text='One per line.', verbose_name='steps')),
                ('guide_deliverables', models.TextField(blank=True, help_text='One per line.', verbose_name='deliverables')),
                ('regional_assessment_kind', models.CharField(blank=True, choices=[('environmental_impact', 'Environmental impact assessment'), ('energy_saving', 'Energy-saving assessment'), ('seismic_safety', 'Seismic safety assessment'), ('geological_hazard', 'Geological hazard risk assessment'), ('soil_water_conservation', 'Soil and water conservation plan'), ('flood_impact', 'Flood impact assessment')], max_length=32, verbose_name='regional assessment kind')),
                ('owner_may_self_prepare', models.BooleanField(default=False, verbose_name='owner may prepare the material itself')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('retired', 'Retired')], db_index=True, default='draft', max_length=16, verbose_name='status')),
                ('version', models.PositiveIntegerField(default=0, verbose_name='version')),
                ('effective_date', models.DateField(blank=True, null=True, verbose_name='in force since')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('approval_department', models.ForeignKey(limit_choices_to={'kind': 'approval_department'}, on_delete=django.db.models.deletion.PROTECT, related_name='required_service_items', to='accounts.organisation', verbose_name='approval department')),
            ],
            options={
                'verbose_name': 'service item',
                'verbose_name_plural': 'service items',
                'ordering': ['code'],
            },
            bases=(modelsearch.index.Indexed, models.Model),
        ),
        migrations.CreateModel(
            name='QualificationRequirement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('alternative', models.PositiveSmallIntegerField(default=1, verbose_name='alternative')),
                ('minimum_grade', models.CharField(blank=True, max_length=20, verbose_name='minimum grade')),
                ('qualification_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='catalogue.qualificationtype', verbose_name='qualification')),
                ('service_item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requirements', to='catalogue.serviceitem', verbose_name='service item')),
            ],
            options={
                'verbose_name': 'required qualification',
                'verbose_name_plural': 'required qualifications',
                'ordering': ['alternative', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('service_item', 'alternative', 'qualification_type'), name='requirement_unique_per_alternative')],
            },
        ),
        migrations.CreateModel(
            name='ServiceItemVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('effective_date', models.DateField(verbose_name='effective date')),
                ('reason', models.TextField(verbose_name='reason')),
                ('changed_fields', models.JSONField(default=list, verbose_name='changed fields')),
                ('snapshot', models.JSONField(verbose_name='content')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('retired', 'Retired')], max_length=16, verbose_name='status after')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                ('applied_at', models.DateTimeField(blank=True, null=True, verbose_name='applied at')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='adjusted by')),
                ('service_item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='catalogue.serviceitem', verbose_name='service item')),
            ],
            options={
                'verbose_name': 'catalogue adjustment',
                'verbose_name_plural': 'catalogue adjustments',
                'ordering': ['-effective_date', '-created_at'],
                'constraints': [models.UniqueConstraint(fields=('service_item', 'number'), name='service_item_version_unique')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(content_types_to_catalogue, content_types_to_market),
    ]
