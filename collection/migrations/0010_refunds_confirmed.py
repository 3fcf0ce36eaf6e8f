"""Refunds confirmed by the provider: a reason (a choice, with the officer's note), pending →
succeeded | failed, the provider's refund reference once; bills can be waived; the sandbox company
keeps its refunds (once per idempotency key) and can refuse, delay or lose the answer to one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def decided_when_requested(apps, schema_editor):
    apps.get_model("collection", "Refund").objects.update(decided_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0009_outlet_state_checked"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The free text officers wrote is now the note; the reason becomes a choice (existing refunds
        # reopened their bills: taken in error).
        migrations.RenameField(model_name="refund", old_name="reason", new_name="note"),
        migrations.CreateModel(
            name="SandboxRefund",
            fields=[
                ("id", models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name="refund ID")),
                ("key", models.CharField(max_length=64, unique=True, verbose_name="idempotency key")),
                ("amount", models.BigIntegerField(verbose_name="amount (IQD)")),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "Processing"), ("succeeded", "Refunded"), ("refused", "Refused")],
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=40, verbose_name="reason refused")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={
                "verbose_name": "sandbox refund",
                "verbose_name_plural": "sandbox refunds",
                "ordering": ["-created_at"],
            },
        ),
        migrations.AddField(
            model_name="refund",
            name="checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="provider last asked at"),
        ),
        migrations.AddField(
            model_name="refund",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed or refused at"),
        ),
        migrations.AddField(
            model_name="refund",
            name="failure_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="reason refused"),
        ),
        migrations.AddField(
            model_name="refund",
            name="reason",
            field=models.CharField(
                choices=[
                    ("reduced", "The amount due was reduced or waived"),
                    ("error", "The payment was taken in error or twice"),
                ],
                default="error",
                help_text="Reduced or waived: the bill's amount goes down and it stays paid. In error: the bill reopens.",
                max_length=16,
                verbose_name="reason",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="refund",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting the provider"),
                    ("succeeded", "Refunded"),
                    ("failed", "Refused by the provider"),
                ],
                default="succeeded",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting the provider"),
                    ("succeeded", "Refunded"),
                    ("failed", "Refused by the provider"),
                ],
                default="pending",
                max_length=12,
                verbose_name="status",
            ),
        ),
        # Every refund before this migration was made at once: confirmed when it was requested.
        migrations.RunPython(decided_when_requested, migrations.RunPython.noop),
        migrations.AddField(
            model_name="sandboxcharge",
            name="refunds_behave",
            field=models.CharField(blank=True, max_length=12, verbose_name="refunds"),
        ),
        migrations.AlterField(
            model_name="discrepancy",
            name="kind",
            field=models.CharField(
                choices=[
                    ("amount_mismatch", "Amount mismatch"),
                    ("unknown", "In the file but unknown to us"),
                    ("status_mismatch", "Settled but not paid with us"),
                    ("duplicate", "Duplicate in file"),
                    ("missing", "Paid with us but absent from settlement"),
                    ("webhook_mismatch", "Provider reported a different amount or currency"),
                    ("refund_failed", "Refund refused by the provider"),
                    ("refund_unconfirmed", "Refund not confirmed by the provider"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="obligation",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("partially_paid", "Partially paid"),
                    ("paid", "Paid"),
                    ("cancelled", "Cancelled"),
                    ("waived", "Waived"),
                ],
                default="open",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AlterField(
            model_name="refund",
            name="note",
            field=models.CharField(max_length=300, verbose_name="officer's note"),
        ),
        migrations.AlterField(
            model_name="refund",
            name="provider_ref",
            field=models.CharField(blank=True, max_length=80, verbose_name="provider's refund reference"),
        ),
        migrations.AddIndex(
            model_name="refund",
            index=models.Index(
                condition=models.Q(("status", "pending")), fields=["created_at"], name="refund_pending_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="refund",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decided_at__isnull", True), ("status", "pending")),
                    models.Q(models.Q(("status", "pending"), _negated=True), ("decided_at__isnull", False)),
                    _connector="OR",
                ),
                name="refund_decided_unless_pending",
            ),
        ),
        migrations.AddConstraint(
            model_name="refund",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("provider_ref", ""), _negated=True), models.Q(("status", "failed"), _negated=True)
                ),
                fields=("payment", "provider_ref"),
                name="refund_provider_ref_once",
            ),
        ),
        migrations.AddField(
            model_name="sandboxrefund",
            name="charge",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="refund_records",
                to="collection.sandboxcharge",
                verbose_name="charge",
            ),
        ),
    ]
