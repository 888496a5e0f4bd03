"""The public 帮办代办服务流程 (附件3) page, and the same steps in plain words on /progress/."""

import re

import pytest
from django.utils import timezone

from daiban.models import CaseStatus, Route
from daiban.services import intake
from daiban.views.public_pages import progress_steps
from tests import handling_setup
from tests.factories import CaseFactory
from tests.intake_setup import World, apply_post

pytestmark = pytest.mark.django_db

# 附件3, box by box, in the order of the chart.
FLOW_CHART = [
    "申请人提出申请",
    "帮办代办窗口甄别",
    "不在帮办代办范围内的",
    "不予受理，告知申请人办理单位",
    "资料不完备的",
    "一次性告知须补正完善的材料",
    "帮办代办窗口受理",
    "单部门事项",
    "“一件事一次办”事项",
    "牵头部门办理并转办，相关部门联办",
    "跨层级、复杂事项",
    "组建专班，专人协调跟踪，相关部门联办",
    "帮办代办窗口向申请人反馈办理结果",
    "开展评价和归档",
]


def text_of(html):
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def look_up(client, case):
    response = client.post("/progress/", {"number": case.number, "secret": case.contact_phone})
    assert response.status_code == 302
    return client.get("/progress/").content.decode()


# /process/ ---------------------------------------------------------------------------------------


def test_process_page_shows_every_box_of_the_flow_chart_in_order(client):
    response = client.get("/process/")
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    positions = [text.find(box) for box in FLOW_CHART]
    assert -1 not in positions, [box for box, at in zip(FLOW_CHART, positions, strict=True) if at == -1]
    assert positions == sorted(positions)
    assert "<h1>帮办代办服务流程</h1>" in html


def test_process_page_is_an_ordered_list_of_five_steps_with_three_way_branches(client):
    html = client.get("/process/").content.decode()
    flow = html[html.index('<ol class="flow">') : html.index("</ol>", html.index('<ol class="flow">'))]
    steps = re.findall(r'<h3 class="flow-box">([^<]+)</h3>', flow)
    assert steps == ["申请人提出申请", "帮办代办窗口甄别", "帮办代办窗口受理", "部门联动办理", "反馈结果，评价归档"]
    assert flow.count('<ul class="flow-branches">') == 2
    assert len(re.findall(r'<li class="flow-branch[^"]*">', flow)) == 6


def test_process_page_explains_the_two_forms_the_green_channel_and_that_it_is_free(client):
    text = text_of(client.get("/process/").content.decode())
    assert "帮办人员带您到相关窗口办理业务" in text
    assert "由代办员代替您办理" in text
    assert "老年人、残疾人、现役退役军人等特殊人群可走“绿色通道”" in text
    assert "上门服务" in text
    assert "一律免费" in text and "全程免费" in text


def test_process_page_is_in_the_menu_and_on_the_home_page(client):
    for url in ("/", "/apply/", "/progress/", "/search/", "/matters/", "/process/"):
        assert '<a href="/process/">服务流程</a>' in client.get(url).content.decode(), url
    assert "帮办代办服务流程</a>" in client.get("/").content.decode()


def test_process_page_needs_no_more_than_the_site_settings(client, django_assert_max_num_queries):
    client.get("/process/")  # warm the site and settings caches
    with django_assert_max_num_queries(4):
        assert client.get("/process/").status_code == 200


# /progress/: the steps of 附件3 in plain words -------------------------------------------------


def steps_of(case):
    return [(label, "done" if done else "current" if current else "") for label, done, current in progress_steps(case)]


def test_each_status_marks_its_step_of_the_flow_chart():
    current = {
        CaseStatus.SUBMITTED: "窗口甄别",
        CaseStatus.PENDING_SUPPLEMENT: "窗口甄别",
        CaseStatus.ACCEPTED: "窗口受理",
        CaseStatus.IN_PROGRESS: "部门联动办理",
        CaseStatus.RESULTS_RETURNED: "反馈办理结果",
        CaseStatus.COMPLETED: "评价归档",
    }
    labels = ["提出申请", "窗口甄别", "窗口受理", "部门联动办理", "反馈办理结果", "评价归档"]
    for status, label in current.items():
        steps = steps_of(CaseFactory.build(status=status))
        assert [name for name, _state in steps] == labels
        at = labels.index(label)
        assert [state for _name, state in steps] == ["done"] * at + ["current"] + [""] * (len(labels) - at - 1)


def test_an_archived_case_has_every_step_done():
    assert {state for _name, state in steps_of(CaseFactory.build(status=CaseStatus.ARCHIVED))} == {"done"}


def test_a_stopped_case_shows_no_steps():
    for status in (CaseStatus.REJECTED, CaseStatus.WITHDRAWN):
        assert steps_of(CaseFactory.build(status=status)) == []


def test_the_handling_step_says_how_the_route_works():
    expected = {
        Route.SINGLE: "部门办理",
        Route.BUNDLE: "牵头部门办理，相关部门联办",
        Route.TASK_FORCE: "专班协调跟踪，相关部门联办",
    }
    for route, label in expected.items():
        steps = steps_of(CaseFactory.build(status=CaseStatus.IN_PROGRESS, route=route))
        assert steps[3] == (label, "current")


def test_progress_page_of_a_bundle_case_says_where_it_is_in_plain_words(client):
    world = handling_setup.World()
    case = handling_setup.bundle(world)
    html = look_up(client, case)
    assert re.search(r'aria-current="step">牵头部门办理，相关部门联办<span class="step-now">（当前）</span>', html)
    assert "现在：</strong>牵头部门正在办理并转办，相关部门联合办理" in html
    # the history says the same in plain words, not the internal 转办 label
    assert "已转交部门办理（牵头部门办理，相关部门联办）：县市场监管局、县税务局" in html
    assert "转办（" not in html
    assert 'href="/process/"' in html


def test_progress_page_of_a_case_waiting_for_materials_says_what_to_do(client):
    world = World()
    case = world.case_in(CaseStatus.PENDING_SUPPLEMENT)
    html = look_up(client, case)
    assert re.search(r'aria-current="step">窗口甄别<span class="step-now">（当前）</span>', html)
    assert "请按一次性告知的内容，补齐或修改材料后交到帮办代办窗口" in html


def test_progress_page_of_a_rejected_case_has_no_steps_but_says_why(client):
    world = World()
    case = world.case_in(CaseStatus.REJECTED)
    html = look_up(client, case)
    assert 'aria-current="step"' not in html
    assert "不在帮办代办服务范围内，未予受理" in html and "请向县公安局申请办理" in html


def test_accepted_with_deferred_materials_is_said_in_plain_words(client):
    world = World()
    case = world.online_case()
    intake.accept(
        case,
        user=world.window,
        window_opinion="先行受理",
        deferred=[("户口簿", timezone.localdate())],
        version=case.version,
    )
    html = look_up(client, case)
    assert "已受理（先行受理，部分材料可稍后补交）" in html and "预审+容缺" not in html


# Forms in plain words ------------------------------------------------------------------------------


def test_an_empty_request_says_what_to_fill_in_not_a_generic_message(client):
    blank = dict.fromkeys(["applicant_name", "contact_name", "contact_phone", "service_form", "centre", "consent"], "")
    html = client.post("/apply/", apply_post(World(), **blank)).content.decode()
    for message in ("请填写企业名称或群众姓名。", "请填写联系电话。", "请选择办理的服务中心。", "请选择帮办代办形式。"):
        assert message in html
    assert "请阅读并同意个人信息处理说明后再提交。" in html  # custom messages are kept
    assert "必需字段" not in html and "This field is required" not in html


def test_an_empty_progress_query_says_what_to_fill_in(client):
    html = client.post("/progress/", {}).content.decode()
    assert "请填写办件编号。" in html and "请填写联系电话或查询码。" in html


def test_receipt_shows_the_green_channel(client):
    world = World()
    response = client.post("/apply/", apply_post(world, special_group="elderly"))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "<dt>绿色通道</dt><dd>老年人，优先办理</dd>" in html
    assert 'href="/process/"' in html
