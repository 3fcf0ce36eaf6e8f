"""Holders' names typed on a Kurdish keyboard found by their Arabic spelling, and the reverse.

``normalize_arabic`` now folds the letters a Kurdish keyboard types (ک ی ە ھ) into the Arabic ones
(ك ي ه ه). Stored values are already normalised otherwise, so folding those letters in SQL gives
exactly what ``normalize_arabic`` now gives: one UPDATE of the rows that hold one, not a Python loop.
"""

from django.db import migrations

from govportal.search import column_translate

# Written out (not imported) so that this migration keeps doing what it did when it was written.
KURDISH_FORMS, ARABIC_FORMS = "کیەھ", "كيهه"


def forwards(apps, schema_editor):
    column_translate(
        schema_editor.connection,
        table="datacenter_authenticityrequest",
        column="holder_name_search",
        source=KURDISH_FORMS,
        target=ARABIC_FORMS,
    )


class Migration(migrations.Migration):
    dependencies = [("datacenter", "0001_initial")]
    # Nothing to undo: the code before it searched these values the same way.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
