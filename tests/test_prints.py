"""The printable forms as the seed lays them out: 附件5 申请表, 附件6 交接表, 附件7 反馈情况表, 一次性告知书.

Every expected text below is typed from the policy's attachments, not taken from the templates.
"""

import pytest
from django.urls import reverse

from daiban.models import CaseStatus, EvaluationMethod, HandoverParty, Satisfaction
from daiban.roles import UNIT_STAFF
from daiban.services import handling, handovers, intake, results
from daiban.services.base import current_version
from tests.factories import LiaisonFactory, UnitFactory, staff_user
from tests.intake_setup import PASSWORD, World

pytestmark = pytest.mark.django_db

# 附件5, row by row (the seed breaks "结果领取方式" and "申请材料明细及份数" over two lines in their cells).
APPLICATION_ROWS = [
    "企业名称或群众姓名",
    "联系人员",
    "联系电话",
    "帮办代办事项",
    "帮办代办形式",
    "涉及部门",
    "结果领取<br>方式",
    "申请材料<br>明细及份数",
    "帮办代办窗口意见",
]
APPLICATION_NOTE = "说明：此表一式两份，申请人和帮办代办窗口各一份。"
# 附件6 and its two 说明 (the seed wraps the first over two lines).
HANDOVER_ROWS = [
    "企业名称或群众姓名",
    "联系人员",
    "联系电话",
    "帮办代办事项",
    "帮办代办形式",
    "材料清单及份数",
    "移交人签字",
    "接收人签字",
]
HANDOVER_NOTES = [
    "说明：1.此表用于记录帮办代办窗口和所涉部门间帮办代办事项申请材料和办结结果材料的交接情况。",
    "2.此表可视情况一式多份。",
]
# 附件7: its two full-width section rows, its labels and the five levels.
FEEDBACK_SECTIONS = ["帮办代办事项基本情况", "反馈结果情况"]
FEEDBACK_ROWS = [
    "企业名称或群众姓名",
    "联系人员",
    "联系电话",
    "帮办代办事项",
    "帮办代办形式",
    "反馈材料名称及份数",
    "移交人、接收人签字",
    "快递单号",
    "（若是快递送达，则需要填写快递单号，附上快递寄送单）",
    "评价方式：",
    "意见建议：",
    "评价情况",
    "回访人",
    "回访时间",
]
LEVELS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
PHONE, MASKED = "13800001234", "138****1234"


@pytest.fixture
def world(sms_outbox):
    world = World()
    world.window.first_name = "演示回访员"
    world.window.save()
    world.tax = UnitFactory(name="资中县税务局", region=world.zizhong)
    world.tax.centres.add(world.centre)
    world.tax_clerk = staff_user(UNIT_STAFF, unit=world.tax, username="zz_tax")
    # Routing needs someone of each unit who can log in (daiban.assignment).
    LiaisonFactory(unit=world.tax, user=world.tax_clerk)
    LiaisonFactory(unit=world.unit, user=staff_user(UNIT_STAFF, unit=world.unit, username="zz_sbj"))
    return world


@pytest.fixture
def routed(world):
    """Accepted by the window, then routed as 一件事一次办 to 社保局 (lead) with 税务局."""
    case = world.case_in(CaseStatus.ACCEPTED, units_text="申请人写的部门")
    handling.route_bundle(case, lead_unit=world.unit, co_units=[world.tax], user=world.window, version=case.version)
    case.refresh_from_db()
    return case


def get(client, username, url):
    client.login(username=username, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_application_form_has_the_seed_rows_twice_and_the_routed_units(client, world, routed):
    html = get(client, "zz_window", reverse("daiban_case_print_application", args=[routed.pk]))
    assert html.count("<h1>帮办代办服务申请表</h1>") == 2 and html.count("附件5") == 2
    for label in APPLICATION_ROWS:
        assert html.count(f">{label}</th>") == 2, label
    assert html.count(APPLICATION_NOTE) == 2
    assert html.count("资中县社会保险事业管理局、资中县税务局") == 2  # 涉及部门 from the routing, lead first
    assert "申请人写的部门" not in html
    for choice in ("帮办", "代办", "上门服务", "其他：", "自行领取", "快递邮寄(收件人：", "收件地址："):
        assert choice in html
    assert html.count(PHONE) == 2 and MASKED not in html  # the window's own copies carry the full phone


def test_application_form_before_routing_names_what_the_applicant_wrote(client, world):
    case = world.online_case(units_text="县社保局")
    html = get(client, "zz_window", reverse("daiban_case_print_application", args=[case.pk]))
    assert html.count("县社保局") == 2
    assert "（符合办理条件或XX材料不符合办理条件，请按XX要求修改）" in html


def test_a_supervisor_s_print_is_masked(client, world, routed):
    html = get(client, "zz_bureau", reverse("daiban_case_print_application", args=[routed.pk]))
    assert MASKED in html and PHONE not in html


def test_handover_form_has_the_seed_rows_and_both_notes(client, world, routed):
    handover = handovers.create_handover(
        routed,
        user=world.window,
        from_party=HandoverParty.WINDOW,
        to_party=HandoverParty.UNIT,
        to_unit=world.unit,
        items=[("营业执照申请书", 2), ("身份证复印件", 1)],
        version=current_version(routed),
    )
    url = reverse("handling:handover_print", args=[routed.pk, handover.pk])
    html = get(client, "zz_window", url)
    assert "附件6" in html and "<h1>帮办代办事项所涉材料交接表</h1>" in html
    for label in HANDOVER_ROWS:
        assert f">{label}</th>" in html, label
    for note in HANDOVER_NOTES:
        assert note in html
    for n in range(1, 11):
        assert f'<td colspan="2">{n}.' in html
    assert "营业执照申请书　2份" in html
    assert PHONE in html and MASKED not in html


def test_feedback_form_has_the_seed_sections_and_the_callback(client, world):
    from tests.results_setup import case_in

    case = case_in(CaseStatus.COMPLETED, world.bureau_unit, world.centre, phone=PHONE)
    results.record_evaluation(
        case,
        user=world.window,
        level=Satisfaction.SATISFIED,
        method=EvaluationMethod.PHONE,
        comment="办得很快",
        version=current_version(case),
    )
    html = get(client, "zz_window", reverse("results:feedback_print", args=[case.pk]))
    assert "附件7" in html and "帮办代办服务事项反馈情况表</h1>" in html
    for section in FEEDBACK_SECTIONS:
        assert f'<th scope="rowgroup" colspan="4">{section}</th>' in html, section
    for label in FEEDBACK_ROWS:
        assert label in html, label
    for level in LEVELS:
        assert f"☐ {level}<" in html or f"☑ {level}<" in html, level
    assert "☑ 满意<" in html and "☑ 电话回访<" in html and "☐ 现场评价<" in html
    assert "办得很快" in html
    assert '<td class="visitor">演示回访员</td>' in html  # 回访人: who recorded the callback
    visited = html.split('<td class="visited-at">')[1].split("</td>")[0]
    assert "年" in visited and "时" in visited and "分" in visited and visited.strip()[0].isdigit()
    assert PHONE in html and MASKED not in html


def test_feedback_form_of_a_supervisor_is_masked(client, world):
    from tests.results_setup import case_in

    case = case_in(CaseStatus.COMPLETED, world.bureau_unit, world.centre, phone=PHONE)
    html = get(client, "zz_bureau", reverse("results:feedback_print", args=[case.pk]))
    assert MASKED in html and PHONE not in html


def test_one_time_notice_prints_every_item(client, world):
    case = world.online_case()
    notice = intake.request_supplement(
        case,
        user=world.window,
        items=[
            {"name": "户口簿", "problem": "missing"},
            {"name": "参保登记表", "problem": "wrong", "requirement": "签名"},
        ],
        version=case.version,
    )
    html = get(client, "zz_window", reverse("daiban_case_print_notice", args=[case.pk, notice.pk]))
    assert "一次性告知书" in html and "户口簿" in html and "参保登记表" in html and "签名" in html
