"""Cases imported from historical 台账 before this fix carry the import time as 申请时间; their request
was made on the sheet's 申请日期, which the import stored as the acceptance time."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Case = apps.get_model("daiban", "Case")
    Case.objects.exclude(imported_from="").filter(accepted_at__isnull=False).update(submitted_at=F("accepted_at"))


class Migration(migrations.Migration):
    dependencies = [("daiban", "0010_remove_wagtail_default_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
