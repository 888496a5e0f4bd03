"""The city's 审批指导科 maintains the 工作日历 (holidays and 调休 days): the model permissions for its group.

Who may maintain the calendar is read in one place, daiban.permissions.can_maintain_calendar.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.management import create_permissions
from django.db import migrations

CITY_GUIDANCE = "市审批指导科"
ACTIONS = ("add", "change", "delete", "view")


def _permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model("daiban", "WorkCalendarDay")
    content_type = ContentType.objects.get_for_model(model)
    codenames = [get_permission_codename(action, model._meta) for action in ACTIONS]
    return Permission.objects.filter(content_type=content_type, codename__in=codenames)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=CITY_GUIDANCE)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=CITY_GUIDANCE).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("daiban", "0017_deferred_waiver")]

    operations = [migrations.RunPython(grant, revoke)]
