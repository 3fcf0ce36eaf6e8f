"""The client address becomes the exact text that the event's hash covers (``normalize_ip``).

On PostgreSQL the column was ``inet``, whose output spells some addresses its own way; it is now
``varchar`` holding ``host(ip)``, which is what the hash check has been reading, so every existing
event verifies exactly as before. The table refuses UPDATE by trigger, but ``ALTER TABLE`` is not
an UPDATE. On SQLite the column already held text.
"""

from django.db import migrations, models

TO_TEXT = "ALTER TABLE audit_auditevent ALTER COLUMN ip TYPE varchar(39) USING host(ip)"
TO_INET = "ALTER TABLE audit_auditevent ALTER COLUMN ip TYPE inet USING ip::inet"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TO_TEXT, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TO_INET, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="ip",
                    field=models.CharField(blank=True, max_length=39, null=True, verbose_name="IP address"),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
