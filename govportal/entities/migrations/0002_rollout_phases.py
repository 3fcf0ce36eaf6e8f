from django.db import migrations


def create_phases(apps, schema_editor):
    RolloutPhase = apps.get_model("entities", "RolloutPhase")
    for number in (1, 2, 3):
        RolloutPhase.objects.get_or_create(number=number)


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_initial")]
    operations = [migrations.RunPython(create_phases, migrations.RunPython.noop)]
