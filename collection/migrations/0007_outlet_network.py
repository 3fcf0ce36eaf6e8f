"""Outlets run by the collecting entity: an outlet's details (governorate, addresses in both
languages, telephone, hours) and its state (being set up, open, closed, with who and when); card
terminals; cashiers assigned to outlets. 0008 fills them in for existing outlets, 0009 drops the
old open flag; each runs in its own transaction (PostgreSQL does not alter a table with pending
trigger events in the transaction that updated its rows)."""

import datetime

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

GOVERNORATES = [
    ("baghdad", "Baghdad"),
    ("basra", "Basra"),
    ("nineveh", "Nineveh"),
    ("anbar", "Anbar"),
    ("babil", "Babil"),
    ("karbala", "Karbala"),
    ("najaf", "Najaf"),
    ("wasit", "Wasit"),
    ("diyala", "Diyala"),
    ("salah_al_din", "Salah al-Din"),
    ("kirkuk", "Kirkuk"),
    ("dhi_qar", "Dhi Qar"),
    ("maysan", "Maysan"),
    ("muthanna", "Muthanna"),
    ("qadisiyah", "Qadisiyah"),
    ("erbil", "Erbil"),
    ("sulaymaniyah", "Sulaymaniyah"),
    ("duhok", "Duhok"),
    ("halabja", "Halabja"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0006_discrepancy_keys_unchecked"),
        ("entities", "0003_entity_letter_number_format"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # --- The outlet's details and state ---------------------------------------------------
        migrations.RenameField(model_name="outlet", old_name="address", new_name="address_ar"),
        migrations.AlterField(
            model_name="outlet",
            name="address_ar",
            field=models.CharField(max_length=300, verbose_name="address (Arabic)"),
        ),
        migrations.AddField(
            model_name="outlet",
            name="address_en",
            field=models.CharField(default="", max_length=300, verbose_name="address (English)"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="outlet",
            name="governorate",
            field=models.CharField(choices=GOVERNORATES, default="baghdad", max_length=16, verbose_name="governorate"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="outlet",
            name="code",
            field=models.CharField(
                help_text="Permanent: it names the outlet in payments and reports, e.g. IHF-BGD-01.",
                max_length=32,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z0-9][A-Z0-9-]{1,31}$",
                        "Use 2 to 32 capital Latin letters, digits or hyphens, starting with a letter or digit.",
                    )
                ],
                verbose_name="code",
            ),
        ),
        migrations.AddField(
            model_name="outlet",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=20,
                validators=[
                    django.core.validators.RegexValidator(
                        "^\\+?[0-9][0-9 -]{5,18}[0-9]$", "Enter a telephone number of digits, for example 07701234567."
                    )
                ],
                verbose_name="telephone",
            ),
        ),
        migrations.AddField(
            model_name="outlet",
            name="open_days",
            field=models.PositiveSmallIntegerField(
                default=79, help_text="The days of the week it is open (a bit per day).", verbose_name="open on"
            ),
        ),
        migrations.AddField(
            model_name="outlet",
            name="opens_at",
            field=models.TimeField(default=datetime.time(8, 0), verbose_name="opens at"),
        ),
        migrations.AddField(
            model_name="outlet",
            name="closes_at",
            field=models.TimeField(default=datetime.time(14, 0), verbose_name="closes at"),
        ),
        migrations.AddField(
            model_name="outlet",
            name="status",
            field=models.CharField(
                choices=[("setting_up", "Being set up"), ("open", "Open"), ("closed", "Closed")],
                default="setting_up",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="outlet",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="created at"),
        ),
        migrations.AddField(
            model_name="outlet",
            name="opened_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="last opened at"),
        ),
        migrations.AddField(
            model_name="outlet",
            name="opened_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last opened by",
            ),
        ),
        migrations.AddField(
            model_name="outlet",
            name="closed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="closed at"),
        ),
        migrations.AddField(
            model_name="outlet",
            name="closed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="closed by",
            ),
        ),
        migrations.AddField(
            model_name="outlet",
            name="close_reason",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="reason for closing"),
        ),
        # --- Card terminals and cashiers ------------------------------------------------------
        migrations.CreateModel(
            name="Terminal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "terminal_id",
                    models.CharField(
                        help_text="As printed at the top of the terminal's card slips (TID).",
                        max_length=32,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z0-9][A-Z0-9-]{1,31}$",
                                "Use 2 to 32 Latin letters, digits or hyphens, as the terminal prints its ID on the slip.",
                            )
                        ],
                        verbose_name="terminal ID",
                    ),
                ),
                (
                    "serial_number",
                    models.CharField(
                        blank=True, help_text="From the label on the device.", max_length=40, verbose_name="serial number"
                    ),
                ),
                (
                    "acquirer",
                    models.CharField(
                        blank=True,
                        help_text="Who supplied the terminal and settles its payments.",
                        max_length=100,
                        verbose_name="bank or payment company",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="added at"),
                ),
                ("closed_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="closed at")),
                (
                    "close_reason",
                    models.CharField(blank=True, editable=False, max_length=300, verbose_name="reason for closing"),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="closed by",
                    ),
                ),
                (
                    "outlet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="terminals",
                        to="collection.outlet",
                        verbose_name="outlet",
                    ),
                ),
            ],
            options={
                "verbose_name": "card terminal",
                "verbose_name_plural": "card terminals",
                "ordering": ["outlet", "terminal_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("outlet", "terminal_id"), name="terminal_unique_at_outlet"),
                    models.UniqueConstraint(
                        condition=models.Q(("closed_at__isnull", True)),
                        fields=("terminal_id",),
                        name="terminal_open_at_one_outlet",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CashierAssignment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "assigned_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="assigned at"),
                ),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assigned by",
                    ),
                ),
                (
                    "cashier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="cashier",
                    ),
                ),
                (
                    "outlet",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="collection.outlet",
                        verbose_name="outlet",
                    ),
                ),
            ],
            options={
                "verbose_name": "cashier assignment",
                "verbose_name_plural": "cashier assignments",
                "ordering": ["outlet", "assigned_at"],
                "constraints": [models.UniqueConstraint(fields=("outlet", "cashier"), name="cashier_assigned_once")],
            },
        ),
    ]
