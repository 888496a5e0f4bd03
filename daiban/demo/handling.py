"""Demo linked handling at 资中县政务服务中心: cases on all three routes, some due soon, some overdue.

Cases are registered, accepted and routed through the services, as staff would. Only the
dates are then moved into the past (a demo has no history), so the dashboard's 超时预警 and
`send_reminders --dry-run` have something to show. Idempotent: each case has an import_key.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from daiban.demo.cases import renumber
from daiban.demo.org import account
from daiban.models import Case, CaseEvent, Liaison, LiaisonPost, MatterPage, ServiceCentre, Unit, UnitFlow
from daiban.roles import UNIT_STAFF
from daiban.services import handling, handovers, intake
from daiban.services.base import current_version
from daiban.workdays import WorkCalendar, add_working_days

COUNTY = "资中县"
CENTRE = f"{COUNTY}政务服务中心"
HRSS = f"{COUNTY}人力资源和社会保障局"
AMR = f"{COUNTY}市场监督管理局"
MEDICAL = f"{COUNTY}医疗保障局"
REALTY = f"{COUNTY}不动产登记中心"
CITY_REALTY = "内江市不动产登记中心"
TAX = f"国家税务总局{COUNTY}税务局"

# import_key, matter title, promised days, applicant, is_company
CASES = [
    ("demo-handling-single", "城镇职工基本养老保险关系转移接续", 5, "周演示", False),
    ("demo-handling-bundle", "企业开办“一件事一次办”", 3, "资中县演示商贸有限公司", True),
    ("demo-handling-task-force", "工业项目用地及不动产首次登记（跨层级）", 10, "资中县示例机械制造有限公司", True),
    ("demo-handling-returned", "企业开办“一件事一次办”", 3, "资中县样例餐饮店", True),
    ("demo-handling-waiting", "失业保险金申领", 0, "吴样例", False),
]


class Demo:
    def __init__(self):
        self.centre = ServiceCentre.objects.get(name=CENTRE)
        self.window = get_user_model().objects.get(username="zizhong_window")
        self.hrss_staff = get_user_model().objects.get(username="zizhong_hrss")
        self.amr_staff = account("zizhong_amr", UNIT_STAFF, None, ("unit", AMR))[0]
        self.tax_staff = account("zizhong_tax", UNIT_STAFF, None, ("unit", TAX))[0]
        self.realty_staff = account("zizhong_realty", UNIT_STAFF, None, ("unit", REALTY))[0]
        self.city_realty_staff = account("city_realty", UNIT_STAFF, None, ("unit", CITY_REALTY))[0]
        self.bureau = get_user_model().objects.get(username="zizhong_bureau")
        self.today = timezone.localdate()

    def unit(self, name):
        return Unit.objects.get(name=name)


def load(out):
    if not ServiceCentre.objects.filter(name=CENTRE).exists():
        out.write("联动办理演示：缺少演示机构，已跳过（请先运行 daiban.demo.org）。")
        return
    demo = Demo()
    made = [build(demo, *row) for row in CASES if not Case.objects.filter(import_key=row[0]).exists()]
    out.write(f"联动办理演示：新建 {len([c for c in made if c])} 件（单部门、一件事一次办、专班，含临期和逾期）。")
    out.write("　单位账号：zizhong_amr（牵头单位）、zizhong_tax、zizhong_realty、city_realty、zizhong_hrss，密码同上。")


def build(demo, key, title, days, applicant, is_company):
    case = accepted_case(demo, key, title, days, applicant, is_company)
    step = {
        "demo-handling-single": single,
        "demo-handling-bundle": bundle,
        "demo-handling-task-force": task_force,
        "demo-handling-returned": returned,
        "demo-handling-waiting": lambda demo, case: case,
    }[key]
    return step(demo, case)


def accepted_case(demo, key, title, days, applicant, is_company):
    matter = MatterPage.objects.filter(title=title).first()
    details = {
        "applicant_name": applicant,
        "is_company": is_company,
        "contact_name": applicant if not is_company else "郑演示",
        "contact_phone": f"138000090{CASES.index(next(row for row in CASES if row[0] == key)):02d}",
        "matter": matter,
        "matter_text": title,
        "service_form": "proxy",
        "centre": demo.centre,
    }
    materials = [{"name": "申请书", "copies": 2}, {"name": "身份证复印件", "copies": 1}]
    case = intake.register_at_window(demo.window, details, materials=materials)
    Case.objects.filter(pk=case.pk).update(import_key=key)
    case = intake.accept(case, user=demo.window, window_opinion="材料齐全，符合办理条件。", version=case.version)
    if case.due_date is None:
        Case.objects.filter(pk=case.pk).update(due_date=add_working_days(demo.today, days))
    return Case.objects.get(pk=case.pk)


def shift(case, working_days_ago, due_in=None, flows=True):
    """Pretend the case was accepted some working days ago (demo dates only, never a status)."""
    today = timezone.localdate()
    accepted = _working_days_back(today, working_days_ago)
    due = _due(today, due_in) if due_in is not None else case.due_date
    moment = timezone.make_aware(datetime.datetime.combine(accepted, datetime.time(9, 30)))
    # Move the whole history back with it, so the request never comes after its due date.
    delta = timezone.now() - moment
    Case.objects.filter(pk=case.pk).update(accepted_at=moment, due_date=due, submitted_at=F("submitted_at") - delta)
    submitted_at = Case.objects.values_list("submitted_at", flat=True).get(pk=case.pk)
    renumber(case, timezone.localtime(submitted_at).date())
    CaseEvent.objects.filter(case=case).update(created_at=F("created_at") - delta)
    if flows:
        UnitFlow.objects.filter(case=case).update(due_date=due)
        UnitFlow.objects.filter(case=case, accepted_on__isnull=False).update(accepted_on=accepted)


def _working_days_back(day, count):
    calendar = WorkCalendar()
    while count > 0:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
    return day


def _due(today, due_in):
    return add_working_days(today, due_in) if due_in >= 0 else _working_days_back(today, -due_in)


def window_to(demo, case, unit):
    handover = handovers.create_handover(
        case,
        user=demo.window,
        from_party="window",
        to_party="unit",
        to_unit=unit,
        items=[("申请书", 2), ("身份证复印件", 1)],
        version=current_version(case),
    )
    return handover


def single(demo, case):
    """单部门事项, accepted by the unit, due tomorrow-ish: 临期."""
    hrss = demo.unit(HRSS)
    case = handling.route_single(case, unit=hrss, user=demo.window, version=case.version)
    handover = window_to(demo, case, hrss)
    handovers.confirm_receipt(handover, user=demo.hrss_staff, version=current_version(handover))
    flow = case.flows.get()
    handling.accept_flow(flow, user=demo.hrss_staff, version=flow.version, notice_no="资人社受〔2026〕101号")
    shift(case, 4, due_in=1)
    return case


def bundle(demo, case):
    """一件事一次办: lead 市场监管 with 税务 and 人社; the tax flow is overdue."""
    lead, tax, hrss = demo.unit(AMR), demo.unit(TAX), demo.unit(HRSS)
    case = handling.route_bundle(case, lead_unit=lead, co_units=[tax], user=demo.window, version=case.version)
    handovers.confirm_receipt(
        window_to(demo, case, lead), user=demo.amr_staff, version=current_version(window_to(demo, case, lead))
    )
    case.refresh_from_db()
    handling.add_co_handling_unit(case, unit=hrss, user=demo.amr_staff, version=case.version)
    lead_flow = case.flows.get(unit=lead)
    handling.accept_flow(lead_flow, user=demo.amr_staff, version=lead_flow.version, notice_no="资市监受〔2026〕55号")
    tax_flow = case.flows.get(unit=tax)
    handling.accept_flow(tax_flow, user=demo.tax_staff, version=tax_flow.version, notice_no="资税受〔2026〕88号")
    shift(case, 6, due_in=-2)
    return case


def task_force(demo, case):
    """专班: county bureau coordinates the county and city 不动产 units; the case is overdue."""
    members = [
        (Liaison.objects.filter(unit__name=REALTY, post=LiaisonPost.A).first(), "不动产首次登记"),
        (Liaison.objects.filter(unit__name=CITY_REALTY, post=LiaisonPost.A).first(), "市级权籍调查"),
        (Liaison.objects.filter(unit__name=AMR, post=LiaisonPost.A).first(), "企业变更登记"),
    ]
    members = [(liaison, role) for liaison, role in members if liaison is not None]
    case = handling.route_task_force(
        case,
        coordinator=demo.bureau,
        members=members,
        user=demo.window,
        version=case.version,
        lead_unit=demo.unit(REALTY),
    )
    handling.add_supervision_note(
        case, user=demo.bureau, text="请各成员单位本周内完成预审，容缺材料后补。", version=current_version(case)
    )
    shift(case, 12, due_in=-1)
    return case


def returned(demo, case):
    """一件事一次办 taken to the end: both units done, results back at the window, handovers signed."""
    lead, tax = demo.unit(AMR), demo.unit(TAX)
    case = handling.route_bundle(case, lead_unit=lead, co_units=[tax], user=demo.window, version=case.version)
    handovers.confirm_receipt(
        window_to(demo, case, lead), user=demo.amr_staff, version=current_version(window_to(demo, case, lead))
    )
    for unit, staff, notice in (
        (tax, demo.tax_staff, "资税受〔2026〕90号"),
        (lead, demo.amr_staff, "资市监受〔2026〕60号"),
    ):
        flow = case.flows.get(unit=unit)
        flow = handling.accept_flow(flow, user=staff, version=flow.version, notice_no=notice)
        if unit == lead:
            result = handovers.create_handover(
                case,
                user=demo.tax_staff,
                from_party="unit",
                from_unit=tax,
                to_party="unit",
                to_unit=lead,
                items=[("税务登记信息确认单", 1)],
                is_result=True,
                version=current_version(case),
            )
            handovers.confirm_receipt(result, user=demo.amr_staff, version=current_version(result))
        handling.complete_flow(flow, user=staff, version=flow.version, result_note="已办结，结果材料已移交。")
    to_window = handovers.create_handover(
        case,
        user=demo.amr_staff,
        from_party="unit",
        from_unit=lead,
        to_party="window",
        items=[("营业执照正本", 1), ("营业执照副本", 1), ("申请材料原件", 2)],
        is_result=True,
        version=current_version(case),
    )
    handovers.confirm_receipt(to_window, user=demo.window, version=current_version(to_window))
    return case
