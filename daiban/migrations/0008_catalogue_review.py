"""Catalogue editing: page permissions of 指南编辑 and 市审批指导科, and the workflow 审批指导科审核."""

from django.db import migrations

from daiban.catalogue_review import ensure_catalogue_review


def forwards(apps, schema_editor):
    ensure_catalogue_review(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("daiban", "0007_catalogue_guide"),
        ("home", "0002_create_homepage"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
