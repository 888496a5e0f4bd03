"""Demo intake and screening: requests in every state of the first half of 附件3.

At 资中县政务服务中心 (zizhong_window) and 内江市政务服务中心 (city_window): online and walk-in
requests waiting for screening, a 一次性告知 waiting for the applicant, a supplemented one back in
screening, a 不予受理, plain and 预审+容缺 acceptances (one deferred material overdue) and a withdrawal.
Every state is reached through daiban.services.intake, as staff and applicants would; only dates
are moved into the past afterwards (a demo has no history). Idempotent: each case has an import_key.
The applicants are invented; phones are 1380000xxxx.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from daiban.models import (
    Case,
    CaseEvent,
    Channel,
    DeferredMaterial,
    MatterPage,
    Notification,
    OneTimeNotice,
    ServiceCentre,
)
from daiban.services import intake
from daiban.services.numbering import next_case_number
from daiban.workdays import add_working_days

ZIZHONG = "资中县政务服务中心"
CITY = "内江市政务服务中心"

# import_key, centre, days ago, applicant, is_company, contact, phone, matter keyword, channel, state, extra
CASES = [
    (
        "demo-intake-online",
        ZIZHONG,
        0,
        "何演示",
        False,
        "何演示",
        "13800007001",
        "养老",
        Channel.ONLINE,
        "submitted",
        {},
    ),
    (
        "demo-intake-elderly",
        ZIZHONG,
        0,
        "罗示例",
        False,
        "罗小例",
        "13800007002",
        "医疗",
        Channel.WINDOW,
        "submitted",
        {
            "special_group": "elderly",
            "service_form": "home_visit",
            "visit_address": "资中县水南镇演示村3组12号",
            "visit_time": "工作日上午",
            "description": "老人行动不便，希望上门办理。",
        },
    ),
    (
        "demo-intake-notice",
        ZIZHONG,
        2,
        "资中县演示农业专业合作社",
        True,
        "马演示",
        "13800007003",
        "营业执照",
        Channel.ONLINE,
        "notice",
        {},
    ),
    (
        "demo-intake-supplemented",
        ZIZHONG,
        4,
        "高样例",
        False,
        "高样例",
        "13800007004",
        "不动产",
        Channel.WINDOW,
        "supplemented",
        {},
    ),
    (
        "demo-intake-accepted",
        ZIZHONG,
        3,
        "林演示",
        False,
        "林演示",
        "13800007005",
        "失业",
        Channel.PHONE,
        "accepted",
        {
            "delivery": "courier",
            "recipient_name": "林演示",
            "recipient_phone": "13800007005",
            "recipient_address": "资中县水南镇演示路1号",
        },
    ),
    (
        "demo-intake-deferred",
        ZIZHONG,
        8,
        "内江示例食品有限公司",
        True,
        "郭示例",
        "13800007006",
        "食品",
        Channel.WINDOW,
        "deferred",
        {},
    ),
    ("demo-intake-rejected", CITY, 1, "徐演示", False, "徐演示", "13800007007", "", Channel.ONLINE, "rejected", {}),
    (
        "demo-intake-withdrawn",
        CITY,
        5,
        "朱样例",
        False,
        "朱样例",
        "13800007008",
        "公积金",
        Channel.ONLINE,
        "withdrawn",
        {},
    ),
    (
        "demo-intake-city-free",
        CITY,
        0,
        "胡示例",
        False,
        "胡示例",
        "13800007009",
        "",
        Channel.ONLINE,
        "submitted",
        {"special_group": "military"},
    ),
]
FREE_MATTER = {
    "demo-intake-rejected": "民事纠纷诉讼立案",
    "demo-intake-city-free": "退役军人优待证申领咨询",
}


def load(out):
    centres = {c.name: c for c in ServiceCentre.objects.filter(name__in=[ZIZHONG, CITY])}
    staff = {u.username: u for u in get_user_model().objects.filter(username__in=["zizhong_window", "city_window"])}
    if len(centres) < 2 or len(staff) < 2:
        out.write("受理演示：缺少演示机构或窗口账号，已跳过（请先运行 daiban.demo.org）。")
        return
    windows = {ZIZHONG: staff["zizhong_window"], CITY: staff["city_window"]}
    made = 0
    for row in CASES:
        if Case.objects.filter(import_key=row[0]).exists():
            continue
        build(row, centres[row[1]], windows[row[1]])
        made += 1
    out.write(f"受理演示：新建 {made} 件（待甄别、待补正、已补正、不予受理、受理、预审+容缺、撤回）。")
    out.write("　查询进度：/progress/，办件编号见台账，联系电话如 13800007001。")


def build(row, centre, window):
    key, _centre, days_ago, applicant, is_company, contact, phone, keyword, channel, state, extra = row
    matter = find_matter(centre, keyword)
    details = {
        "applicant_name": applicant,
        "is_company": is_company,
        "contact_name": contact,
        "contact_phone": phone,
        "matter": matter,
        "matter_text": "" if matter else FREE_MATTER.get(key, "帮办代办咨询"),
        "service_form": "proxy",
        "centre": centre,
        **extra,
    }
    materials = [{"name": "居民身份证", "copies": 1, "form": "copy"}, {"name": "申请书", "copies": 1}]
    if channel == Channel.ONLINE:
        case = intake.submit_online(details, materials=materials)
    else:
        case = intake.register_at_window(window, details, channel=channel, materials=materials)
    Case.objects.filter(pk=case.pk).update(import_key=key)
    STATES[state](case, window, matter)
    backdate(case, days_ago)


def find_matter(centre, keyword):
    if not keyword:
        return None
    matters = MatterPage.objects.live().filter(title__contains=keyword).order_by("path")
    return matters.filter(unit__centres=centre).first() or matters.filter(unit__region=centre.region).first()


def version(case):
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def notice_items(matter):
    materials = list(matter.materials.all()[:2]) if matter else []
    items = [{"name": m.name, "problem": "missing", "catalogue_material": m} for m in materials]
    return items + [{"name": "经办人授权委托书", "problem": "wrong", "requirement": "需法定代表人签字并加盖公章"}]


def notice(case, window, matter):
    intake.request_supplement(
        case, user=window, items=notice_items(matter), note="补齐后请到窗口提交。", version=version(case)
    )


def supplemented(case, window, matter):
    notice(case, window, matter)
    intake.register_supplement(case, user=window, note="申请人已补交全部材料。", version=version(case))


def accepted(case, window, matter):
    intake.accept(case, user=window, window_opinion="材料齐全，符合办理条件，予以受理。", version=version(case))


def deferred(case, window, matter):
    due = timezone.localdate() + datetime.timedelta(days=3)
    late = [("食品安全管理制度文本", due), ("从业人员健康证明", due)]
    intake.accept(
        case, user=window, window_opinion="预审通过，非必要材料容缺后补。", deferred=late, version=version(case)
    )
    # Demo only: the first deadline passed without the material (shows as 逾期 in the ledger).
    first = DeferredMaterial.objects.filter(case=case).order_by("pk").first()
    DeferredMaterial.objects.filter(pk=first.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=2))


def rejected(case, window, matter):
    intake.reject(
        case,
        user=window,
        reason="诉讼立案属于司法事项，不在政务服务帮办代办范围内。",
        redirect_unit="内江市市中区人民法院诉讼服务中心",
        version=version(case),
    )


def withdrawn(case, window, matter):
    intake.withdraw_by_applicant(case, reason="已自行办理。", version=version(case))


STATES = {
    "submitted": lambda case, window, matter: None,
    "notice": notice,
    "supplemented": supplemented,
    "accepted": accepted,
    "deferred": deferred,
    "rejected": rejected,
    "withdrawn": withdrawn,
}


def backdate(case, days_ago):
    """Move the request's dates back by `days_ago` days (demo dates only, never a status)."""
    if not days_ago:
        return
    delta = datetime.timedelta(days=days_ago)
    case = Case.objects.get(pk=case.pk)
    changes = {"submitted_at": case.submitted_at - delta}
    for field in ("accepted_at", "closed_at"):
        if getattr(case, field):
            changes[field] = getattr(case, field) - delta
    if case.accepted_at and case.matter_id:
        accepted_on = timezone.localtime(changes["accepted_at"]).date()
        changes["due_date"] = add_working_days(accepted_on, case.matter.promised_days)
    Case.objects.filter(pk=case.pk).update(**changes)
    renumber(case, timezone.localtime(changes["submitted_at"]).date())
    for event in CaseEvent.objects.filter(case=case):
        CaseEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - delta)
    for notice in OneTimeNotice.objects.filter(case=case):
        supplemented = notice.supplemented_at - delta if notice.supplemented_at else None
        OneTimeNotice.objects.filter(pk=notice.pk).update(
            issued_at=notice.issued_at - delta, supplemented_at=supplemented
        )


def renumber(case, day):
    """A backdated case gets a number of the day it was submitted (BD + date + serial), as if made then.

    The applicant's messages queued when it was made quote the old number: they follow.
    """
    old = Case.objects.values_list("number", flat=True).get(pk=case.pk)
    if old.startswith(f"BD{day:%Y%m%d}"):
        return old
    new = next_case_number(day)
    Case.objects.filter(pk=case.pk).update(number=new)
    for message in Notification.objects.filter(body__contains=old):
        Notification.objects.filter(pk=message.pk).update(
            body=message.body.replace(old, new), subject=message.subject.replace(old, new)
        )
    return new
