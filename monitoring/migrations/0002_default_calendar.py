"""DLA's default fiscal-year calendar (monitoring/defaults.py); ``manage.py load_calendar`` does the
same again at any time."""

from django.db import migrations

from monitoring import defaults


def load(apps, schema_editor):
    defaults.load(apps.get_model("monitoring", "CalendarItem"))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
