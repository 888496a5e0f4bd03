"""The role groups of docs/domain.md ("Roles and who may do what") with Wagtail admin access and model permissions.

Which records of a model a person sees is narrowed further by their scope (StaffProfile, see
daiban.roles.Scope and daiban.viewsets.scoped); these permissions say what they may do at all.
Page permissions for the catalogue (guides, lists) are granted where those pages are created.
"""

from django.contrib.auth import get_permission_codename
from django.contrib.auth.management import create_permissions
from django.db import migrations

CITY_GUIDANCE = "市审批指导科"
COUNTY_BUREAU = "县级审批局"
WINDOW_STAFF = "帮办代办窗口人员"
UNIT_STAFF = "单位帮办代办员"
GUIDE_EDITOR = "指南编辑"

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)
SUPERVISE = ("view", "change")
WORK = ("add", "change", "view")

# role → {model name in daiban: actions}
MODEL_GRANTS = {
    CITY_GUIDANCE: {
        "region": ALL,
        "servicecentre": ALL,
        "unit": ALL,
        "liaison": ALL,
        "staffprofile": ALL,
        "case": SUPERVISE,
        "unitflow": SUPERVISE,
        "handover": VIEW,
        "evaluation": SUPERVISE,
        "notification": SUPERVISE,
    },
    COUNTY_BUREAU: {
        "region": WORK,
        "servicecentre": ALL,
        "unit": ALL,
        "liaison": ALL,
        "staffprofile": ALL,
        "case": SUPERVISE,
        "unitflow": SUPERVISE,
        "handover": VIEW,
        "evaluation": VIEW,
        "notification": VIEW,
    },
    WINDOW_STAFF: {
        "region": VIEW,
        "servicecentre": VIEW,
        "unit": VIEW,
        "liaison": VIEW,
        "case": WORK,
        "unitflow": WORK,
        "handover": WORK,
        "evaluation": WORK,
        "notification": VIEW,
    },
    UNIT_STAFF: {
        "servicecentre": VIEW,
        "unit": VIEW,
        "liaison": VIEW,
        "case": SUPERVISE,
        "unitflow": SUPERVISE,
        "handover": WORK,
        "evaluation": VIEW,
        "notification": VIEW,
    },
    GUIDE_EDITOR: {
        "unit": VIEW,
    },
}

# role → documents and images they may upload and pick (application forms, templates, photos)
UPLOAD = ("add", "change", "choose")
COLLECTION_GRANTS = {
    CITY_GUIDANCE: {"wagtaildocs.document": UPLOAD, "wagtailimages.image": UPLOAD},
    GUIDE_EDITOR: {"wagtaildocs.document": UPLOAD, "wagtailimages.image": UPLOAD},
    WINDOW_STAFF: {"wagtaildocs.document": ("choose",)},
}


def ensure_permissions(apps):
    """Model permissions are normally created after migrate; this migration needs them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def permission(apps, label, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    model = apps.get_model(label)
    content_type = ContentType.objects.get_for_model(model)
    return Permission.objects.get(content_type=content_type, codename=get_permission_codename(action, model._meta))


def create_role_groups(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    root = Collection.objects.filter(depth=1).first()
    for role in [CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF, UNIT_STAFF, GUIDE_EDITOR]:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(access_admin)
        for model_name, actions in MODEL_GRANTS[role].items():
            group.permissions.add(*[permission(apps, f"daiban.{model_name}", action) for action in actions])
        for label, actions in COLLECTION_GRANTS.get(role, {}).items():
            for action in actions:
                if root is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root, permission=permission(apps, label, action)
                    )


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF, UNIT_STAFF, GUIDE_EDITOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("daiban", "0005_monthly_report"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailimages", "0023_add_choose_permissions"),
        ("wagtailcore", "0025_collection_initial_data"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
