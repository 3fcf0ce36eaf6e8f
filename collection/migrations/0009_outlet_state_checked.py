"""The outlet's state replaces its old open flag, and the database checks it (after 0008 has set
every existing outlet's state)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0008_outlet_network_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="outlet", name="is_active"),
        migrations.AddIndex(
            model_name="outlet",
            index=models.Index(fields=["status", "governorate"], name="outlet_status_governorate"),
        ),
        migrations.AddConstraint(
            model_name="outlet",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status", "open"), _negated=True), ("opened_at__isnull", False), _connector="OR"),
                name="outlet_open_since",
            ),
        ),
        migrations.AddConstraint(
            model_name="outlet",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "closed"), _negated=True), ("closed_at__isnull", False), _connector="OR"
                ),
                name="outlet_closed_since",
            ),
        ),
        migrations.AddConstraint(
            model_name="outlet",
            constraint=models.CheckConstraint(
                condition=models.Q(("opens_at__lt", models.F("closes_at"))), name="outlet_hours_in_order"
            ),
        ),
        migrations.AddConstraint(
            model_name="outlet",
            constraint=models.CheckConstraint(
                condition=models.Q(("open_days__gte", 1), ("open_days__lte", 127)), name="outlet_open_some_day"
            ),
        ),
    ]
