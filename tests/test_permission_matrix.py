"""Every admin URL pattern, filled with another county's objects, requested with GET as every role.

The patterns come from Django's URL resolver (everything under /admin/), so a new parameterised view
is tried as soon as it exists: the test fails until a rule below fills its parameters or the skip list
names it, with the reason. 资中县's people (county bureau, window, unit staff, guide editor) request
东兴区's case, notice, attachment, handover, unit, centre, liaison, staff profile, region, matter page
and outbox message. No response is a server error and none contains 东兴区's marker strings.
"""

import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from daiban.models import (
    BackgroundJob,
    CaseAttachment,
    Handover,
    HandoverParty,
    JobKind,
    Notification,
    OneTimeNotice,
    StaffProfile,
)
from daiban.roles import ALL_ROLES, CITY_GUIDANCE, COUNTY_BUREAU, GUIDE_EDITOR, UNIT_STAFF, WINDOW_STAFF
from tests.factories import CaseFactory, LiaisonFactory, UnitFactory, county, matter, staff_user
from tests.results_setup import window

pytestmark = pytest.mark.django_db

MARKERS = ["外县标记甲", "外县标记中心", "外县标记局", "外县标记联络员", "外县标记员工", "外县标记事项", "外县标记短信"]

# Wagtail's own generic views that hold no project data (or only data every admin user shares:
# images, documents, collections, workflows, redirects, users and groups are for superusers).
SKIP_PREFIXES = {
    "admin/images/": "Wagtail 图片库，不含办件或组织数据",
    "admin/documents/": "Wagtail 文档库",
    "admin/collections/": "Wagtail 集合",
    "admin/workflows/": "Wagtail 工作流，仅超级管理员",
    "admin/redirects/": "Wagtail 重定向，仅超级管理员",
    "admin/users/": "Wagtail 用户管理，仅超级管理员",
    "admin/groups/": "Wagtail 角色组管理，仅超级管理员",
    "admin/sites/": "Wagtail 站点管理，仅超级管理员",
    "admin/settings/": "Wagtail 站点设置（全市共用）",
    "admin/forms/": "Wagtail 表单提交（项目不用表单页）",
    "admin/bulk/": "Wagtail 批量操作（只接受 POST 确认）",
    "admin/tag-autocomplete/": "Wagtail 标签补全",
    "admin/editing-sessions/": "Wagtail 编辑会话心跳（只接受 POST）",
    "admin/password_reset/": "密码重置令牌",
    "admin/work_calendar/": "工作日历全市共用，无县域之分",
    "admin/search-synonyms/": "搜索同义词全市共用，无县域之分",
    "admin/snippets/choose/": "选择器的 chosen 回调：只回显选择器已列出的对象",
    "admin/api/main/^documents/": "Wagtail 文档 API",
    "admin/api/main/^images/": "Wagtail 图片 API",
}
# Single patterns skipped, each with its reason.
SKIP_PATTERNS = {
    "admin/pages/^(?P<pk>\\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\\d+)\\.\\.\\."
    "(?P<revision_id_b>live|latest|\\d+)/$": "修订对比：需要修订号，页面权限由同一页面的其他视图覆盖",
    "admin/pages/<int:page_to_move_id>/move/<int:destination_id>/confirm/": "移动确认：与 move 同一权限检查",
    "admin/pages/usage/<slug:content_type_app_name>/<slug:content_type_model_name>/": "页面类型用途，不含单页数据",
    "admin/pages/usage/<slug:content_type_app_name>/<slug:content_type_model_name>/results/": "同上",
    "admin/pages/create/<slug:app_label>/<slug:model_name>": "新建页面类型选择",
}

PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def admin_patterns():
    """Every (route, kind) under admin/, walking the resolver recursively."""
    found = []

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            elif isinstance(pattern, URLPattern) and route.startswith("admin/"):
                found.append(route)

    walk(get_resolver(), "")
    return sorted(set(found))


class OtherCounty:
    """东兴区's objects, every one carrying a marker string 资中县's people must never see."""

    def __init__(self):
        self.region = county("东兴区")
        window_unit, self.centre = window("东兴区行政审批局", region=self.region)
        self.centre.name = "东兴区外县标记中心"
        self.centre.save()
        self.unit = UnitFactory(name="东兴区外县标记局", region=self.region)
        self.liaison = LiaisonFactory(unit=self.unit, name="外县标记联络员")
        self.staff = staff_user(UNIT_STAFF, unit=self.unit, first_name="外县标记员工")
        self.profile = StaffProfile.objects.get(user=self.staff)
        self.matter = matter(title="外县标记事项", unit=self.unit)
        self.matter_list = self.matter.get_parent().specific
        self.case = CaseFactory(
            centre=self.centre,
            applicant_name="外县标记甲",
            contact_name="外县标记甲",
            matter=self.matter,
            matter_text="外县标记事项",
            accepting_unit=window_unit,
            accepted_at=timezone.now(),
        )
        self.notice = OneTimeNotice.objects.create(case=self.case, note="外县标记甲")
        self.attachment = CaseAttachment.objects.create(
            case=self.case,
            file="attachments/x.pdf",
            original_name="外县标记甲.pdf",
            content_type="application/pdf",
            size=1,
        )
        self.handover = Handover.objects.create(
            case=self.case, from_party=HandoverParty.WINDOW, to_party=HandoverParty.UNIT, to_unit=self.unit
        )
        self.message = Notification.objects.create(
            channel="sms", recipient="外县标记甲", body="外县标记短信", case=self.case
        )
        self.job = BackgroundJob.objects.create(
            kind=JobKind.LEDGER_PREVIEW,
            user=self.staff,
            region=self.region,
            centre=self.centre,
            upload_name="外县标记甲.xlsx",
            result={"errors": ["外县标记甲"]},
        )


def fill(route, other):
    """The values for a route's parameters, or None when no rule knows the route."""
    case_pk = other.case.pk
    by_prefix = [
        (
            "admin/cases/",
            {"pk": case_pk, "notice_pk": other.notice.pk, "attachment_pk": other.attachment.pk, "name": "reject"},
        ),
        ("admin/handling/cases/", {"pk": case_pk, "case_pk": case_pk}),
        ("admin/results/cases/", {"pk": case_pk}),
        ("admin/outbox/", {"pk": other.message.pk}),
        ("admin/jobs/", {"pk": other.job.pk}),
        ("admin/org/regions/", {"pk": other.region.pk}),
        ("admin/org/centres/", {"pk": other.centre.pk}),
        ("admin/org/units/", {"pk": other.unit.pk}),
        ("admin/org/liaisons/", {"pk": other.liaison.pk}),
        ("admin/org/staff/", {"pk": other.profile.pk}),
        ("admin/api/main/^pages/", {"pk": other.matter.pk, "action_name": "move"}),
        ("admin/choose-page/", {"parent_page_id": other.matter_list.pk}),
        (
            "admin/pages/",
            {
                "page_id": other.matter.pk,
                "parent_page_id": other.matter_list.pk,
                "page_to_move_id": other.matter.pk,
                "content_type_app_name": "daiban",
                "content_type_model_name": "matterpage",
                "revision_id": other.matter.latest_revision_id,
                "action_name": "approve",
                "task_state_id": 1,
                "task_id": 1,
                "workflow_state_id": 1,
            },
        ),
    ]
    # Handover print: the case's own handover.
    if "handovers/<int:pk>" in route:
        return {"case_pk": case_pk, "pk": other.handover.pk}
    names = [a or b for a, b in PARAM.findall(route)]
    for prefix, values in by_prefix:
        if route.startswith(prefix):
            if all(name in values for name in names):
                return {name: values[name] for name in names}
            return None
    return None


def url_for(route, values):
    def put(match):
        return str(values[match.group(1) or match.group(2)])

    path = PARAM.sub(put, route).replace("^", "").replace("$", "")
    return "/" + path


def skipped(route):
    return route in SKIP_PATTERNS or any(route.startswith(prefix) for prefix in SKIP_PREFIXES)


# The catalogue is public: a published matter page, its title and its unit are on the website, and
# Wagtail's page explorer, history and API show them to every editor (editing is refused: 403).
PUBLIC_ON_PAGES = {"外县标记事项", "外县标记局"}


def markers_for(url):
    if url.startswith(("/admin/pages/", "/admin/api/main/pages/")):
        return [marker for marker in MARKERS if marker not in PUBLIC_ON_PAGES]
    return MARKERS


def give_admin_access():
    access = Permission.objects.get(codename="access_admin")
    for role in ALL_ROLES:
        Group.objects.get_or_create(name=role)[0].permissions.add(access)


def test_every_admin_url_with_another_countys_objects_as_every_role():
    give_admin_access()
    other = OtherCounty()
    region = county("资中县")
    _, centre = window("资中县行政审批局", region=region)
    unit = UnitFactory(name="资中县人社局", region=region)
    people = {
        COUNTY_BUREAU: staff_user(COUNTY_BUREAU, region=region),
        WINDOW_STAFF: staff_user(WINDOW_STAFF, centre=centre),
        UNIT_STAFF: staff_user(UNIT_STAFF, unit=unit),
        GUIDE_EDITOR: staff_user(GUIDE_EDITOR, unit=unit),
    }
    assert CITY_GUIDANCE not in people  # sees the whole city: no other scope to try

    routes = [route for route in admin_patterns() if PARAM.search(route)]
    assert len(routes) > 100, "the resolver walk found too few admin patterns"
    unfilled = [route for route in routes if not skipped(route) and fill(route, other) is None]
    assert unfilled == [], "新的带参数后台网址既没有填充规则，也不在跳过清单中：\n" + "\n".join(unfilled)

    urls = [url_for(route, fill(route, other)) for route in routes if not skipped(route)]
    problems = []
    for role, user in people.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            body = response.content.decode(errors="replace")
            if response.status_code >= 500:
                problems.append(f"{role} {url}: {response.status_code}")
            leaked = [marker for marker in markers_for(url) if marker in body]
            if leaked:
                problems.append(f"{role} {url}: {response.status_code} shows {leaked}")
    assert problems == [], "\n".join(problems)


def test_a_new_unfilled_pattern_would_fail():
    """The guard works: a route no rule knows and no skip names is reported."""
    assert fill("admin/newthing/<int:pk>/", mock.MagicMock()) is None
    assert fill("admin/cases/<int:pk>/newthing/<int:thing_pk>/", mock.MagicMock()) is None
    assert not skipped("admin/newthing/<int:pk>/")
