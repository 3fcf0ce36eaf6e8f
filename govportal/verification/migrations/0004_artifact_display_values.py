"""Display rows frozen as strings at issue time become typed values, formatted when shown.

Receipts stored their "Paid at" as the payment's UTC time ("2026-12-07 11:08", written with strftime
from ``timezone.now()``), so the verify page said 11:08 while the paper, printed in Baghdad time,
said 14:08. Training certificates stored the programme as "Arabic — English" and the institution in
Arabic only; amounts and dates were strings in one format for every reader.

Only values written by the issuing services in the shapes below are recognised; anything else
(a string typed elsewhere, a value already typed) is left as it is and still shows as stored. The
rows are not signed (the digest covers each domain's own facts), so no signature changes. This
migration is self-contained on purpose: it must keep reading the old shapes whatever the services
write later.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.db import migrations

ISO_DAY = r"\d{4}-\d{2}-\d{2}"
UTC_MINUTE = re.compile(rf"^({ISO_DAY}) (\d{{2}}):(\d{{2}})$")
GROUPED = re.compile(r"^-?\d{1,3}(?:,\d{3})*$")
DOCUMENT = re.compile(rf"^(.+) — ({ISO_DAY})$")
DAYS = re.compile(rf"^({ISO_DAY}) – ({ISO_DAY})$")
INSTITUTION = re.compile(r"^(.+) \(([A-Za-z0-9_-]+)\)$")
AMOUNT_LABELS = {
    "Amount paid (IQD)": "Amount paid",
    "Balance on the statement date (IQD)": "Balance on the statement date",
}
LTR_LABELS = {"Payment reference", "Loan number", "National ID number"}


def convert(label: str, value: Any, english_names: dict[str, str]) -> tuple[str, Any]:
    """One row in its new form (the same row when it is not one of the recognised shapes)."""
    if not isinstance(value, str):
        return label, value
    if label == "Paid at" and (match := UTC_MINUTE.match(value)):
        return label, {"type": "datetime", "value": f"{match[1]}T{match[2]}:{match[3]}:00+00:00"}
    if label in AMOUNT_LABELS and GROUPED.match(value):
        return AMOUNT_LABELS[label], {"type": "amount", "value": int(value.replace(",", ""))}
    if label == "Document" and (match := DOCUMENT.match(value)):
        return label, {"type": "dated", "number": match[1], "date": match[2]}
    if label == "Dates" and (match := DAYS.match(value)):
        return label, {"type": "dates", "first": match[1], "last": match[2]}
    if label == "Programme" and " — " in value:
        arabic, english = value.rsplit(" — ", 1)
        return label, {"type": "text", "ar": arabic, "en": english or arabic}
    if label == "Institution" and (match := INSTITUTION.match(value)):
        name, code = match[1], match[2]
        return label, {"type": "entity", "ar": name, "en": english_names.get(code) or name, "code": code}
    if label in LTR_LABELS and value:
        return label, {"type": "ltr", "value": value}
    return label, value


def revert(label: str, value: Any) -> tuple[str, Any]:
    """The string the services wrote before (for a migration backwards)."""
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "datetime":
        moment = dt.datetime.fromisoformat(value["value"]).astimezone(dt.UTC)
        return label, moment.strftime("%Y-%m-%d %H:%M")
    if kind == "amount":
        return {new: old for old, new in AMOUNT_LABELS.items()}.get(label, label), f"{value['value']:,}"
    if kind == "dated":
        return label, f"{value['number']} — {value['date']}"
    if kind == "dates":
        return label, f"{value['first']} – {value['last']}"
    if kind == "text":
        return label, f"{value['ar']} — {value['en']}"
    if kind == "entity":
        return label, f"{value['ar']} ({value['code']})"
    if kind == "ltr":
        return label, value["value"]
    return label, value


def _rewrite(apps: Any, row: Callable[[str, Any], tuple[str, Any]]) -> None:
    Artifact = apps.get_model("verification", "Artifact")
    # Letters show only their subject, which stays a string.
    rows = Artifact.objects.filter(kind__in=["receipt", "certificate", "training_certificate", "statement"])
    batch: list[Any] = []
    for artifact in rows.only("pk", "display").iterator(chunk_size=2000):
        display = [list(row(label, value)) for label, value in artifact.display]
        if display != artifact.display:
            artifact.display = display
            batch.append(artifact)
        if len(batch) >= 2000:
            Artifact.objects.bulk_update(batch, ["display"])
            batch = []
    if batch:
        Artifact.objects.bulk_update(batch, ["display"])


def forwards(apps: Any, schema_editor: Any) -> None:
    Entity = apps.get_model("entities", "Entity")
    english_names = dict(Entity.objects.values_list("code", "name_en"))
    _rewrite(apps, lambda label, value: convert(label, value, english_names))


def backwards(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, revert)


class Migration(migrations.Migration):
    dependencies = [
        ("entities", "0003_entity_letter_number_format"),
        ("verification", "0003_artifact_status_list_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
