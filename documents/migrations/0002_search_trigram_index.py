from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS documents_letter_search_trgm
    ON documents_letter USING gin (search_text gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS documents_letter_search_trgm;"


def forwards(apps, schema_editor):
    # Substring search over normalised Arabic text (LIKE '%word%') uses this index on PostgreSQL.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
