"""The training administrators' notice of a batch of nominations was reworded (no "employee(s)"):
notifications stored with the old msgid take the new one, so they still read in the reader's language."""

from django.db import migrations

OLD = "%(entity)s nominated %(count)s employee(s) for %(session)s."
NEW = "Nominations from %(entity)s for %(session)s: %(count)s."


def forwards(apps, schema_editor):
    apps.get_model("notifications", "Notification").objects.filter(message=OLD).update(message=NEW)


def backwards(apps, schema_editor):
    apps.get_model("notifications", "Notification").objects.filter(message=NEW).update(message=OLD)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
