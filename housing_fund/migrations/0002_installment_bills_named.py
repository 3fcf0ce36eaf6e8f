"""Installment bills named in each reader's language: their description becomes the msgid and its
arguments (it was translated once, in whatever language was active when the bill was made)."""

from django.db import migrations

DESCRIPTION = "Installment %(number)s of loan %(loan)s"


def name_bills(apps, schema_editor):  # type: ignore[no-untyped-def]
    Installment = apps.get_model("housing_fund", "Installment")
    Obligation = apps.get_model("collection", "Obligation")
    items = Installment.objects.filter(obligation__isnull=False).select_related("loan").order_by("pk")
    batch = []
    for item in items.iterator(chunk_size=2000):
        batch.append(
            Obligation(
                pk=item.obligation_id,
                description=DESCRIPTION,
                description_args={"number": item.number, "loan": item.loan.number},
            )
        )
        if len(batch) == 2000:
            Obligation.objects.bulk_update(batch, ["description", "description_args"])
            batch = []
    Obligation.objects.bulk_update(batch, ["description", "description_args"])


class Migration(migrations.Migration):
    dependencies = [
        ("housing_fund", "0001_initial"),
        ("collection", "0011_obligation_description_args"),
    ]

    operations = [migrations.RunPython(name_bills, migrations.RunPython.noop)]
