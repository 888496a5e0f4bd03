"""The role groups created by the migration: admin access and what each role may do."""

import pytest
from django.contrib.auth.models import Group
from wagtail.documents import get_document_model
from wagtail.permissions import policy_registry

from daiban.roles import ALL_ROLES, CITY_GUIDANCE, COUNTY_BUREAU, GUIDE_EDITOR, UNIT_STAFF, WINDOW_STAFF
from tests.factories import county, staff_user

pytestmark = pytest.mark.django_db


def perms(*names):
    return [f"daiban.{name}" for name in names]


def test_every_role_group_exists():
    assert set(Group.objects.filter(name__in=ALL_ROLES).values_list("name", flat=True)) == set(ALL_ROLES)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_can_enter_the_admin(client, role):
    client.force_login(staff_user(role, region=county()))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "granted", "refused"),
    [
        (
            CITY_GUIDANCE,
            perms("change_liaison", "delete_unit", "add_region", "view_case", "change_case", "view_notification"),
            perms("delete_case", "add_case"),
        ),
        (
            COUNTY_BUREAU,
            perms("add_liaison", "change_liaison", "change_staffprofile", "view_case", "change_unitflow"),
            perms("delete_region", "delete_case", "add_case"),
        ),
        (
            WINDOW_STAFF,
            perms("add_case", "change_case", "view_case", "add_unitflow", "add_handover", "add_evaluation"),
            perms("change_liaison", "delete_case", "add_unit"),
        ),
        (
            UNIT_STAFF,
            perms("view_case", "change_unitflow", "add_handover", "view_liaison"),
            perms("add_case", "change_liaison", "change_evaluation"),
        ),
        (GUIDE_EDITOR, perms("view_unit"), perms("view_case", "view_liaison", "change_unit")),
    ],
)
def test_role_permissions_follow_who_uses_it(role, granted, refused):
    user = staff_user(role, region=county())
    assert user.has_perms(["wagtailadmin.access_admin", *granted])
    assert not any(user.has_perm(name) for name in refused)


def test_guide_editors_may_upload_documents():
    permission_policy = policy_registry.get_by_type(get_document_model())
    user = staff_user(GUIDE_EDITOR, region=county())
    assert permission_policy.user_has_permission(user, "add")
    assert permission_policy.user_has_permission(user, "choose")
