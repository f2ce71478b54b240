"""The award is confirmed when its publicity period ends; events carry the shared StatusEvent fields."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0006_status_event_fields'),
        ('market', '0008_purchase_request_names'),
    ]

    operations = [
        migrations.AlterField(
            model_name='purchaserequest',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('quoting', 'Quoting'), ('closed', 'Closed'), ('selecting', 'Selecting'), ('awarded', 'Awarded'), ('confirmed', 'Award confirmed'), ('contracted', 'Contracted'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], db_index=True, default='draft', max_length=16, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='purchaserequestevent',
            name='from_status',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('published', 'Published'), ('quoting', 'Quoting'), ('closed', 'Closed'), ('selecting', 'Selecting'), ('awarded', 'Awarded'), ('confirmed', 'Award confirmed'), ('contracted', 'Contracted'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], max_length=16, verbose_name='from'),
        ),
        migrations.AlterField(
            model_name='purchaserequestevent',
            name='purchase_request',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_events', to='market.purchaserequest', verbose_name='purchase request'),
        ),
        migrations.AlterField(
            model_name='purchaserequestevent',
            name='to_status',
            field=models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('quoting', 'Quoting'), ('closed', 'Closed'), ('selecting', 'Selecting'), ('awarded', 'Awarded'), ('confirmed', 'Award confirmed'), ('contracted', 'Contracted'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], max_length=16, verbose_name='to'),
        ),
    ]
