"""Intake and screening (甄别): the first half of 附件3.

Every action checks permission, changes the case inside a transaction with the
case row locked (refusing a stale version), records the history entry and queues
the applicant's notification in the same transaction.
"""

from django.db.models import Q
from django.utils import timezone

from ..models import (
    Case,
    CaseAttachment,
    CaseMaterial,
    Channel,
    DeferredMaterial,
    NoticeItem,
    OneTimeNotice,
    ServiceCentre,
)
from ..notifications import notify_applicant
from ..permissions import can_handle_at_window
from ..roles import UNIT_STAFF, WINDOW_STAFF, Scope, has_role
from ..workdays import add_working_days
from .base import ActionError, ActionPermissionDenied, atomic, lock_case, record, touch, transition
from .handling import cancel_open_flows
from .numbering import new_query_code, next_case_number

__all__ = [
    "CASE_FIELDS",
    "LOG_ACTIONS",
    "WINDOW_CHANNELS",
    "submit_online",
    "register_at_window",
    "reject",
    "request_supplement",
    "register_supplement",
    "accept",
    "receive_deferred",
    "withdraw_by_applicant",
    "withdraw_at_window",
    "can_register_at",
    "registration_centres",
]

# The 附件5 fields a request is made of (online or at the window).
CASE_FIELDS = (
    "is_company",
    "applicant_name",
    "contact_name",
    "contact_phone",
    "id_number",
    "email",
    "matter",
    "matter_text",
    "service_form",
    "service_form_other",
    "units_text",
    "description",
    "delivery",
    "recipient_name",
    "recipient_phone",
    "recipient_address",
    "special_group",
    "centre",
)

WINDOW_CHANNELS = (Channel.WINDOW, Channel.PHONE, Channel.HOME_VISIT)

# Wagtail audit log actions written by this module (registered in daiban.wagtail_hooks).
LOG_ACTIONS = {
    "submit": "网上提交帮办代办申请",
    "register": "窗口登记帮办代办申请",
    "reject": "不予受理",
    "request_supplement": "一次性告知",
    "supplement": "登记补正材料",
    "accept": "受理",
    "receive_deferred": "登记容缺材料补交",
    "withdraw": "撤回申请",
}

DENIED = "您没有权限办理该办件：只有该办件所在服务中心的帮办代办窗口人员或受理该件的部门帮办代办员可以操作。"


def can_register_at(user, centre, unit=None):
    """Window staff register walk-in requests at their own centre; the city at any.

    With `unit`: the request is taken at that department's own window (进驻窗口) in `centre`, by the
    department's 帮办代办员 (policy 三（三）2); the unit must be stationed there.
    """
    if centre is None:
        return False
    if unit is not None and unit.pk != centre.window_unit_id and not unit.centres.filter(pk=centre.pk).exists():
        return False
    return can_handle_at_window(user, Case(centre=centre, accepting_unit=unit))


def registration_centres(user):
    """Centres where `user` may register requests: their centre's window or their department's windows."""
    scope = Scope.for_user(user)
    if scope.sees_all:
        return ServiceCentre.objects.all()
    q = Q(pk__in=[])
    if has_role(user, WINDOW_STAFF) and scope.centre is not None:
        q |= Q(pk=scope.centre.pk)
    if has_role(user, UNIT_STAFF) and scope.unit is not None:
        q |= Q(units=scope.unit) & ~Q(window_unit=scope.unit)
    return ServiceCentre.objects.filter(q).distinct()


def _require_window(user, case):
    if not can_handle_at_window(user, case):
        raise ActionPermissionDenied(DENIED)


# Creating a case ---------------------------------------------------------------------------------


def submit_online(details, *, materials=(), files=(), units=()):
    """An applicant's request from /apply/. `details` holds CASE_FIELDS (consent already checked)."""
    with atomic():
        case = _create_case(details, channel=Channel.ONLINE, consent_at=timezone.now())
        _add_papers(case, materials, files, units, by_applicant=True)
        record(case, "submit", "提交网上申请", actor_label="申请人", public=True)
        notify_applicant(
            case,
            f"您的帮办代办申请已提交，办件编号{case.number}，查询码{case.query_code}。"
            f"窗口将尽快甄别，您可凭编号和手机号在网上查询进度。",
        )
    return case


def register_at_window(user, details, *, channel=Channel.WINDOW, materials=(), files=(), units=(), department=None):
    """A walk-in, phone or home-visit request registered by window staff of the chosen centre.

    `department`: the request was taken at that department's own window (进驻窗口) in the centre; the case is
    accepted by and counted for the department (Case.accepting_unit), and stays in the centre's ledger.
    """
    if channel not in WINDOW_CHANNELS:
        raise ActionError("窗口登记的申请渠道只能是窗口、电话或上门服务。")
    centre = details["centre"]
    if department is not None and department.pk == centre.window_unit_id:
        department = None
    if not can_register_at(user, centre, department):
        raise ActionPermissionDenied("您只能登记本服务中心帮办代办窗口或本部门进驻窗口收到的申请。")
    with atomic():
        extra = {"accepting_unit": department} if department is not None else {}
        case = _create_case(details, channel=channel, consent_at=timezone.now(), received_by=user, **extra)
        _add_papers(case, materials, files, units, by_applicant=False)
        where = f"{department.name}进驻窗口，" if department is not None else ""
        record(case, "register", f"窗口登记申请（{where}{Channel(channel).label}）", user=user, public=True)
        notify_applicant(
            case,
            f"您的帮办代办申请已由窗口登记，办件编号{case.number}，查询码{case.query_code}。",
        )
    return case


def _create_case(details, **extra):
    values = {name: details[name] for name in CASE_FIELDS if name in details}
    matter = values.get("matter")
    if matter is not None and not values.get("matter_text"):
        values["matter_text"] = matter.title
    centre = values["centre"]
    return Case.objects.create(
        number=next_case_number(),
        query_code=new_query_code(),
        region_id=centre.region_id,
        **values,
        **extra,
    )


def _add_papers(case, materials, files, units, *, by_applicant):
    CaseMaterial.objects.bulk_create(
        CaseMaterial(case=case, name=m["name"], copies=m.get("copies") or 1, form=m.get("form") or "original")
        for m in materials
    )
    for upload in files:
        CaseAttachment.objects.create(
            case=case,
            file=upload,
            original_name=upload.name[:200],
            content_type=getattr(upload, "sniffed_type", "") or upload.content_type or "",
            size=upload.size,
            uploaded_by_applicant=by_applicant,
        )
    if units:
        case.units.set(units)


# Screening ---------------------------------------------------------------------------------------


def reject(user, case, *, reason, redirect_unit, version):
    """不予受理: outside the 帮办代办 scope; the applicant is told which unit to go to."""
    _require_window(user, case)
    reason, redirect_unit = reason.strip(), redirect_unit.strip()
    if not reason or not redirect_unit:
        raise ActionError("请填写不予受理的原因和申请人应前往办理的单位。")
    with atomic():
        case = lock_case(case, version)
        public_note = f"原因：{reason}。请向{redirect_unit}申请办理。"
        transition(
            case,
            "reject",
            label="不予受理",
            user=user,
            note=reason,
            data={"public_note": public_note, "redirect_unit": redirect_unit},
            rejection_reason=reason,
            redirect_unit=redirect_unit,
            closed_at=timezone.now(),
        )
        notify_applicant(case, f"您的帮办代办申请（{case.number}）不属于帮办代办服务范围，不予受理。{public_note}")
    return case


def request_supplement(user, case, *, items, note="", version):
    """一次性告知: every missing or wrong item at once; the case waits for the applicant (待补正).

    `items` are dicts with name, problem ("missing" or "wrong"), requirement and optionally catalogue_material.
    """
    _require_window(user, case)
    items = [item for item in items if item.get("name", "").strip()]
    if not items:
        raise ActionError("一次性告知书至少要列出一项需补正的材料或事项。")
    with atomic():
        case = lock_case(case, version)
        notice = OneTimeNotice.objects.create(case=case, issued_by=user, note=note.strip())
        NoticeItem.objects.bulk_create(
            NoticeItem(
                notice=notice,
                name=item["name"].strip()[:200],
                problem=item.get("problem") or "missing",
                requirement=(item.get("requirement") or "").strip()[:300],
                catalogue_material=item.get("catalogue_material"),
            )
            for item in items
        )
        listing = "；".join(f"{n}.{item['name'].strip()}" for n, item in enumerate(items, start=1))
        transition(
            case,
            "request_supplement",
            label="一次性告知：请补正材料",
            user=user,
            note=note,
            data={"notice_id": notice.pk, "public_note": f"需补正：{listing}"},
        )
        notify_applicant(
            case,
            f"您的帮办代办申请（{case.number}）需补正以下材料：{listing}。"
            f"请一次性补齐后到{case.centre.name}帮办代办窗口提交。",
        )
    return notice


def register_supplement(user, case, *, note="", files=(), version):
    """The applicant brought the missing items: the case goes back to screening (待甄别)."""
    _require_window(user, case)
    with atomic():
        case = lock_case(case, version)
        now = timezone.now()
        OneTimeNotice.objects.filter(case=case, supplemented_at__isnull=True).update(supplemented_at=now)
        _add_papers(case, (), files, (), by_applicant=False)
        transition(case, "supplement", label="已补正材料，重新甄别", user=user, note=note)
    return case


def accept(user, case, *, window_opinion, deferred=(), version):
    """受理, or 预审+容缺 when `deferred` lists (name, due_date) of non-essential materials to follow."""
    _require_window(user, case)
    window_opinion = window_opinion.strip()
    if not window_opinion:
        raise ActionError("请填写帮办代办窗口意见。")
    deferred = [(name.strip(), due) for name, due in deferred if name.strip()]
    today = timezone.localdate()
    if any(due < today for _name, due in deferred):
        raise ActionError("容缺材料的补交期限不能早于今天。")
    with atomic():
        case = lock_case(case, version)
        label = "已受理（预审+容缺）" if deferred else "已受理"
        transition(
            case,
            "accept",
            label=label,
            user=user,
            note=window_opinion,
            data={"deferred": [name for name, _due in deferred]},
            window_opinion=window_opinion,
            accepted_at=timezone.now(),
            # A department's own window keeps the case it registered; otherwise the centre's window unit.
            accepting_unit_id=case.accepting_unit_id or case.centre.window_unit_id,
            received_by=case.received_by or user,
            due_date=_due_date(case, today),
        )
        DeferredMaterial.objects.bulk_create(
            DeferredMaterial(case=case, name=name[:200], due_date=due) for name, due in deferred
        )
        notify_applicant(case, _acceptance_text(case, deferred))
    return case


def _due_date(case, today):
    if case.matter_id is None:
        return None
    return add_working_days(today, case.matter.promised_days)


def _acceptance_text(case, deferred):
    text = f"您的帮办代办申请（{case.number}）已受理"
    if case.due_date:
        text += f"，承诺{case.due_date:%Y年%m月%d日}前办结"
    if deferred:
        later = "；".join(f"{name}（{due:%m月%d日}前）" for name, due in deferred)
        text += f"。请按期补交容缺材料：{later}"
    return text + "。"


def receive_deferred(user, case, *, material_id, version):
    """A 容缺 material arrived: record when, and by whom."""
    _require_window(user, case)
    with atomic():
        case = lock_case(case, version)
        material = case.deferred_materials.filter(pk=material_id, received_at__isnull=True).first()
        if material is None:
            raise ActionError("该容缺材料不存在或已登记补交。")
        material.received_at = timezone.now()
        material.save(update_fields=["received_at"])
        touch(case)
        record(case, "receive_deferred", f"容缺材料已补交：{material.name}", user=user, public=True)
    return material


def withdraw_by_applicant(case, *, reason="", version):
    """The applicant withdraws from /progress/ (identity checked there by number and phone or query code)."""
    with atomic():
        case = lock_case(case, version)
        _withdraw(case, reason, label="申请人撤回申请", actor_label="申请人")
    return case


def withdraw_at_window(user, case, *, reason, version):
    """The window records the applicant's withdrawal made in person or by phone."""
    _require_window(user, case)
    if not reason.strip():
        raise ActionError("请填写撤回说明（如：申请人来电要求撤回）。")
    with atomic():
        case = lock_case(case, version)
        _withdraw(case, reason.strip(), label="应申请人要求撤回申请", user=user)
    return case


def _withdraw(case, reason, *, label, user=None, actor_label=""):
    transition(
        case,
        "withdraw",
        label=label,
        user=user,
        actor_label=actor_label,
        note=reason,
        closed_at=timezone.now(),
    )
    cancel_open_flows(case, user=user, actor_label=actor_label)
    notify_applicant(case, f"您的帮办代办申请（{case.number}）已撤回。如需继续办理，请重新申请。")
