"""Demo results: completed, evaluated and archived cases over the last six months, so that the
statistics, charts, the reporting duty and the 通报 show something real.

Every case goes through the services as staff would (register, accept, route, unit accepts and
completes, window delivers, applicant or window evaluates, follow-up of a bad evaluation,
archive). Only the dates are then moved into the past (a demo has no history). Idempotent:
each case has an import_key. Some months are confirmed (one late), the last one is left open.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from daiban.demo.org import account
from daiban.models import Case, CaseEvent, Evaluation, EvaluationMethod, MatterPage, ServiceCentre, Unit, UnitFlow
from daiban.roles import UNIT_STAFF
from daiban.services import handling, intake, results
from daiban.services.base import current_version
from daiban.services.reporting import confirm_month, confirmations_seen
from daiban.statistics import Period
from daiban.workdays import add_working_days

from .cases import renumber

MONTHS = 6
# centre, window account, handling unit, its staff account, supervisor, cases per month (oldest → newest)
DESKS = [
    (
        "资中县政务服务中心",
        "zizhong_window",
        "资中县人力资源和社会保障局",
        "zizhong_hrss",
        "zizhong_bureau",
        [4, 5, 3, 6, 5, 6],
    ),
    ("内江市政务服务中心", "city_window", "内江市人力资源和社会保障局", "admin", "city_guide", [3, 2, 4, 3, 5, 4]),
]
LEVELS = [
    "very_satisfied",
    "satisfied",
    "very_satisfied",
    "basically_satisfied",
    "satisfied",
    "very_satisfied",
    None,
    "satisfied",
    "dissatisfied",
]
MATTER_HINT = "养老保险"
APPLICANTS = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


# Units the desks route to that have no login of their own in daiban.demo.org (routing needs one).
UNIT_LOGINS = [("city_hrss", "内江市人力资源和社会保障局")]


def load(out):
    for username, unit_name in UNIT_LOGINS:
        if Unit.objects.filter(name=unit_name).exists():
            account(username, UNIT_STAFF, None, ("unit", unit_name))
    users = {u.username: u for u in get_user_model().objects.all()}
    needed = {desk[i] for desk in DESKS for i in (1, 3, 4)}
    centres = {c.name: c for c in ServiceCentre.objects.filter(name__in=[d[0] for d in DESKS])}
    if len(centres) < len(DESKS) or not needed <= set(users):
        out.write("反馈评价演示：缺少演示机构或账号，已跳过（请先运行 daiban.demo.org）。")
        return
    today = timezone.localdate()
    months = Period.containing(today).previous_months(MONTHS + 1)[:-1]
    made = 0
    for centre_name, window, unit_name, staff, boss, counts in DESKS:
        desk = Desk(centres[centre_name], users[window], Unit.objects.get(name=unit_name), users[staff], users[boss])
        for m, (period, count) in enumerate(zip(months, counts, strict=True)):
            for i in range(count):
                key = f"demo-results-{desk.centre.pk}-{period.start:%Y%m}-{i}"
                if not Case.objects.filter(import_key=key).exists():
                    desk.case(key, period, i, last_month=m == len(months) - 1)
                    made += 1
        confirm_months(desk, months)
    out.write(f"反馈评价演示：新建 {made} 件（近{MONTHS}个月的办结、评价、差评整改和归档），并确认了部分月报。")
    out.write("　统计报表：后台“统计报表”菜单（city_guide 看全市，zizhong_bureau 看资中县）。")


class Desk:
    def __init__(self, centre, window, unit, staff, boss):
        self.centre, self.window, self.unit, self.staff, self.boss = centre, window, unit, staff, boss
        self.matter = MatterPage.objects.live().filter(title__contains=MATTER_HINT).order_by("path").first()
        self.serial = 0

    def case(self, key, period, index, *, last_month):
        self.serial += 1
        name = APPLICANTS[(self.centre.pk * 7 + period.start.month * 3 + index) % len(APPLICANTS)] + "演示"
        details = {
            "applicant_name": name,
            "is_company": False,
            "contact_name": name,
            "contact_phone": f"1380007{period.start.month:02d}{index:02d}",
            "matter": self.matter,
            "matter_text": self.matter.title if self.matter else "城镇职工基本养老保险关系转移接续",
            "service_form": "proxy",
            "centre": self.centre,
        }
        case = intake.register_at_window(self.window, details, materials=[{"name": "申请书", "copies": 1}])
        Case.objects.filter(pk=case.pk).update(import_key=key)
        case = intake.accept(case, user=self.window, window_opinion="材料齐全，符合办理条件。", version=case.version)
        case = handling.route_single(case, unit=self.unit, user=self.window, version=case.version)
        accepted_on = period.start + datetime.timedelta(days=2 + index * 4 % 24)
        if last_month and index == 0:  # still with the unit at the end of the month
            flow = case.flows.get()
            handling.accept_flow(flow, user=self.staff, version=flow.version, notice_no=f"受理〔{flow.case_id}〕号")
            backdate(case, accepted_on, None)
            return
        self.finish(case, index, period)
        spill = last_month and index == 1  # the unit completes after the month's end: 在办 at month end
        completed_on = accepted_on + datetime.timedelta(days=3 + index % 3)
        if spill or completed_on > period.end:
            completed_on = period.end + datetime.timedelta(days=2) if spill else period.end
        backdate(Case.objects.get(pk=case.pk), accepted_on, completed_on)

    def finish(self, case, index, period):
        flow = case.flows.get()
        flow = handling.accept_flow(flow, user=self.staff, version=flow.version, notice_no=f"受理〔{flow.case_id}〕号")
        handling.complete_flow(flow, user=self.staff, version=flow.version, result_note="已办结，结果已交回窗口。")
        case = Case.objects.get(pk=case.pk)
        if index % 2:
            results.record_courier(
                case,
                user=self.window,
                courier_company="中国邮政",
                tracking_number=f"EMS{case.pk:010d}",
                version=current_version(case),
            )
        else:
            results.record_pickup(
                case,
                user=self.window,
                collected_by=case.contact_name,
                identity_checked=True,
                version=current_version(case),
            )
        level = LEVELS[(index + period.start.month) % len(LEVELS)]
        if level is None:
            return
        if index % 3 == 0:
            evaluation = results.evaluate_online(case, level=level, comment="", version=current_version(case))
        else:
            method = EvaluationMethod.PHONE if index % 3 == 1 else EvaluationMethod.ON_SITE
            evaluation = results.record_evaluation(
                case, user=self.window, level=level, method=method, version=current_version(case)
            )
        if hasattr(evaluation, "follow_up"):
            self.follow_up(evaluation.follow_up, period)
        if period.end < timezone.localdate() - datetime.timedelta(days=45):
            results.archive_case(
                Case.objects.get(pk=case.pk), user=self.window, version=current_version(Case.objects.get(pk=case.pk))
            )

    def follow_up(self, follow_up, period):
        if period.end >= timezone.localdate() - datetime.timedelta(days=45):
            return  # recent: left open for the supervisors' list
        deadline = timezone.localdate() + datetime.timedelta(days=5)
        results.check_follow_up(
            follow_up,
            user=self.boss,
            finding="等候时间较长",
            rectification="高峰时段增开帮办代办窗口",
            rectify_by=deadline,
            version=current_version(follow_up),
        )
        results.call_back_follow_up(
            follow_up, user=self.boss, callback_note="回访申请人，对整改表示认可。", version=current_version(follow_up)
        )
        results.close_follow_up(follow_up, user=self.boss, version=current_version(follow_up))


def backdate(case, accepted_on, completed_on):
    """Move a demo case's dates into its month (dates only, never a status)."""
    at = lambda day, hour: timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))  # noqa: E731
    changes = {"submitted_at": at(accepted_on, 9), "accepted_at": at(accepted_on, 10)}
    if case.matter_id:  # the committed date counts from the day of acceptance, as intake.accept does
        changes["due_date"] = add_working_days(accepted_on, case.matter.promised_days)
        UnitFlow.objects.filter(case=case).update(due_date=changes["due_date"])
    if completed_on:
        delivered_on = completed_on + datetime.timedelta(days=1)
        changes.update(completed_at=at(completed_on, 16), results_returned_at=at(completed_on, 16))
        if case.delivered_at:
            changes["delivered_at"] = at(delivered_on, 10)
        if case.archived_at:
            changes["archived_at"] = at(delivered_on + datetime.timedelta(days=20), 11)
        Evaluation.objects.filter(case=case).update(evaluated_at=at(delivered_on + datetime.timedelta(days=1), 15))
    Case.objects.filter(pk=case.pk).update(**changes)
    UnitFlow.objects.filter(case=case).update(accepted_on=accepted_on, completed_on=completed_on)
    CaseEvent.objects.filter(case=case).update(created_at=at(completed_on or accepted_on, 17))
    renumber(case, accepted_on)


def confirm_months(desk, months):
    """Every month but the last confirmed by the window; the second-to-last one late."""
    window_unit = desk.centre.window_unit
    if window_unit is None:
        return
    for i, period in enumerate(months[:-1]):
        if not window_unit.monthly_reports.filter(period=period.start).exists():
            report = confirm_month(
                window_unit, user=desk.window, period=period, version=confirmations_seen(window_unit, period)
            )
            due = report.due_date - datetime.timedelta(days=3 if i != len(months) - 2 else -2)
            report.confirmed_at = timezone.make_aware(datetime.datetime.combine(due, datetime.time(10)))
            report.save(update_fields=["confirmed_at"])
