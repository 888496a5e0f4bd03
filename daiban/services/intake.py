"""Intake and screening (甄别): the first half of 附件3.

Creating a case (online or at the window) is a plain function; every change to an
existing case is an action class (see daiban.services.base).
"""

from django.db import transaction
from django.utils import timezone

from ..deadlines import matter_committed_date
from ..models import Case, CaseAttachment, CaseMaterial, Channel, DeferredMaterial, NoticeItem, OneTimeNotice
from ..permissions import can_register_at
from . import notify_staff
from .audit import record
from .base import ActionError, ActionPermissionDenied, CaseAction, required
from .handling import cancel_open_flows
from .numbering import assign_case_number, new_query_code, provisional_number
from .outbox import fit_sms, notify_applicant

__all__ = [
    "CASE_FIELDS",
    "WINDOW_CHANNELS",
    "submit_online",
    "register_at_window",
    "Reject",
    "RequestSupplement",
    "RegisterSupplement",
    "SupplementOnline",
    "Accept",
    "ReceiveDeferred",
    "WaiveDeferred",
    "deferred_hold",
    "WithdrawByApplicant",
    "WithdrawAtWindow",
    "reject",
    "request_supplement",
    "register_supplement",
    "supplement_online",
    "accept",
    "receive_deferred",
    "waive_deferred",
    "withdraw_by_applicant",
    "withdraw_at_window",
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
    "visit_address",
    "visit_time",
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


# Creating a case ---------------------------------------------------------------------------------


def submit_online(details, *, materials=(), files=(), units=()):
    """An applicant's request from /apply/. `details` holds CASE_FIELDS (consent already checked)."""
    with transaction.atomic():
        case = _create_case(details, channel=Channel.ONLINE, consent_at=timezone.now())
        _add_papers(case, materials, files, units, by_applicant=True)
        assign_case_number(case)
        record(case, "submit", "提交网上申请", actor_label="申请人", public=True)
        notify_applicant(
            case,
            f"您的帮办代办申请已提交，办件编号{case.number}，查询码{case.query_code}。"
            f"窗口将尽快甄别，您可凭编号和手机号在网上查询进度。",
        )
        # Queued in the same transaction: the outbox sends only after the commit.
        notify_staff.new_online_request(case)
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
    with transaction.atomic():
        extra = {"accepting_unit": department} if department is not None else {}
        case = _create_case(details, channel=channel, consent_at=timezone.now(), received_by=user, **extra)
        _add_papers(case, materials, files, units, by_applicant=False)
        assign_case_number(case)
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
    # The real number is taken last (assign_case_number), so the day's counter is locked only briefly.
    return Case.objects.create(
        number=provisional_number(),
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


class Reject(CaseAction):
    """不予受理: outside the 帮办代办 scope; the applicant is told which unit to go to."""

    transition = "reject"

    def clean(self, *, reason, redirect_unit):
        reason, redirect_unit = (reason or "").strip(), (redirect_unit or "").strip()
        if not reason or not redirect_unit:
            raise ActionError("请填写不予受理的原因和申请人应前往办理的单位。")
        return {"reason": reason, "redirect_unit": redirect_unit}

    def perform(self, case, *, reason, redirect_unit):
        public_note = f"原因：{reason}。请向{redirect_unit}申请办理。"
        self.move(
            case,
            label="不予受理",
            note=reason,
            data={"public_note": public_note, "redirect_unit": redirect_unit},
            rejection_reason=reason,
            redirect_unit=redirect_unit,
            closed_at=timezone.now(),
        )
        notify_applicant(case, f"您的帮办代办申请（{case.number}）不属于帮办代办服务范围，不予受理。{public_note}")
        return case


class RequestSupplement(CaseAction):
    """一次性告知: every missing or wrong item at once; the case waits for the applicant (待补正).

    `items` are dicts with name, problem ("missing" or "wrong"), requirement and optionally catalogue_material.
    """

    transition = "request_supplement"

    def clean(self, *, items, note=""):
        items = [item for item in items if item.get("name", "").strip()]
        if not items:
            raise ActionError("一次性告知书至少要列出一项需补正的材料或事项。")
        return {"items": items, "note": (note or "").strip()}

    def perform(self, case, *, items, note):
        notice = OneTimeNotice.objects.create(case=case, issued_by=self.user, note=note)
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
        entries = [_notice_entry(item) for item in items]
        listing = "；".join(f"{n}.{full}" for n, (full, _short) in enumerate(entries, start=1))
        self.move(
            case,
            label="一次性告知：请补正材料",
            note=note,
            data={"notice_id": notice.pk, "public_note": f"需补正：{listing}"},
        )
        notify_applicant(
            case,
            fit_sms(
                f"您的帮办代办申请（{case.number}）需补正：",
                entries,
                f"。请一次性补齐后到{case.centre.name}帮办代办窗口提交，也可在网上“查询进度”页上传。",
            ),
        )
        return notice


PROBLEM_LABELS = {"missing": "缺少", "wrong": "不符合要求"}


def _notice_entry(item):
    """(full, short) text of one 一次性告知 item for the SMS: the name with its problem, and the requirement."""
    name = item["name"].strip()
    problem = PROBLEM_LABELS.get(item.get("problem") or "missing", "缺少")
    requirement = (item.get("requirement") or "").strip()
    short = f"{name}（{problem}）"
    if not requirement:
        return short, short
    if len(requirement) > 30:
        requirement = requirement[:29] + "…"
    return f"{name}（{problem}：{requirement}）", short


class RegisterSupplement(CaseAction):
    """The applicant brought the missing items: the case goes back to screening (待甄别)."""

    transition = "supplement"

    def perform(self, case, *, note="", files=()):
        OneTimeNotice.objects.filter(case=case, supplemented_at__isnull=True).update(supplemented_at=timezone.now())
        _add_papers(case, (), files, (), by_applicant=False)
        self.move(case, label="已补正材料，重新甄别", note=note)
        return case


class SupplementOnline(CaseAction):
    """The applicant sends the corrections of the 一次性告知 from /progress/: the case goes back to screening.

    The applicant's identity was checked on /progress/ (number and phone or query code). `files` are
    (notice item name, [uploads already checked by daiban.forms.uploads]) pairs; at least one file.
    """

    transition = "supplement_online"

    def has_permission(self, case):
        return True

    def clean(self, *, files, note=""):
        files = [(name, list(uploads)) for name, uploads in files if uploads]
        if not files:
            raise ActionError("请至少选择一个补正材料文件后再提交。")
        return {"files": files, "note": (note or "").strip()[:500]}

    def perform(self, case, *, files, note):
        OneTimeNotice.objects.filter(case=case, supplemented_at__isnull=True).update(supplemented_at=timezone.now())
        uploads = [upload for _name, group in files for upload in group]
        _add_papers(case, (), uploads, (), by_applicant=True)
        received = [{"item": name, "file": upload.name[:200]} for name, group in files for upload in group]
        lines = "\n".join(f"{entry['item']}：{entry['file']}" for entry in received)
        self.move(
            case,
            label="申请人在网上提交补正材料，重新甄别",
            actor_label="申请人",
            note=f"收到补正材料：\n{lines}" + (f"\n申请人说明：{note}" if note else ""),
            data={
                "files": received,
                "public_note": "已收到：" + "；".join(sorted({entry["item"] for entry in received})),
            },
        )
        notify_staff.corrections_received(case, len(received))
        notify_applicant(
            case,
            f"已收到您为帮办代办申请（{case.number}）提交的{len(received)}个补正材料文件，窗口将重新甄别。",
        )
        return case


class Accept(CaseAction):
    """受理, or 预审+容缺 when `deferred` lists (name, due_date) of non-essential materials to follow."""

    transition = "accept"

    def clean(self, *, window_opinion, deferred=()):
        window_opinion = required(window_opinion, "请填写帮办代办窗口意见。")
        deferred = [(name.strip(), due) for name, due in deferred if name.strip()]
        if any(due < timezone.localdate() for _name, due in deferred):
            raise ActionError("容缺材料的补交期限不能早于今天。")
        return {"window_opinion": window_opinion, "deferred": deferred}

    def perform(self, case, *, window_opinion, deferred):
        label = "已受理（预审+容缺）" if deferred else "已受理"
        self.move(
            case,
            label=label,
            note=window_opinion,
            data={"deferred": [name for name, _due in deferred]},
            window_opinion=window_opinion,
            accepted_at=timezone.now(),
            # A department's own window keeps the case it registered; otherwise the centre's window unit.
            accepting_unit_id=case.accepting_unit_id or case.centre.window_unit_id,
            received_by=case.received_by or self.user,
            due_date=_due_date(case, timezone.localdate()),
        )
        DeferredMaterial.objects.bulk_create(
            DeferredMaterial(case=case, name=name[:200], due_date=due) for name, due in deferred
        )
        notify_applicant(case, _acceptance_text(case, deferred))
        return case


def _due_date(case, today):
    return matter_committed_date(case, accepted_on=today)


def _acceptance_text(case, deferred):
    text = f"您的帮办代办申请（{case.number}）已受理"
    if case.due_date:
        text += f"，承诺{case.due_date:%Y年%m月%d日}前办结"
    if deferred:
        later = "；".join(f"{name}（{due:%m月%d日}前）" for name, due in deferred)
        text += f"。请按期补交容缺材料：{later}"
    return text + "。"


class ReceiveDeferred(CaseAction):
    """A 容缺 material arrived: record when, and by whom. Possible while one is outstanding."""

    transition = "receive_deferred"

    def check_state(self, case):
        if not case.deferred_materials.outstanding().exists():
            raise ActionError("该办件没有待补交的容缺材料。")

    def perform(self, case, *, material_id):
        material = case.deferred_materials.outstanding().filter(pk=material_id).first()
        if material is None:
            raise ActionError("该容缺材料不存在或已登记补交。")
        material.received_at = timezone.now()
        material.save(update_fields=["received_at"])
        self.log(case, f"容缺材料已补交：{material.name}", public=True)
        return material


class WaiveDeferred(CaseAction):
    """The window decides a 容缺 material is no longer needed: recorded with its reason, in the audit log."""

    transition = "waive_deferred"

    def check_state(self, case):
        if not case.deferred_materials.outstanding().exists():
            raise ActionError("该办件没有待补交的容缺材料。")

    def clean(self, *, material_id, reason):
        return {"material_id": material_id, "reason": required(reason, "请填写免于补交的原因。")[:300]}

    def perform(self, case, *, material_id, reason):
        material = case.deferred_materials.outstanding().filter(pk=material_id).first()
        if material is None:
            raise ActionError("该容缺材料不存在或已补交、已免交。")
        material.waived_at = timezone.now()
        material.waived_by = self.user
        material.waive_reason = reason
        material.save(update_fields=["waived_at", "waived_by", "waive_reason"])
        self.log(
            case,
            f"容缺材料免于补交：{material.name}",
            note=reason,
            public=True,
            data={"deferred_material_id": material.pk, "waived": True},
        )
        return material


def deferred_hold(case):
    """Refuse 办结 and 归档 while a 容缺 material is still owed; the Chinese reason names the materials."""
    owed = list(case.deferred_materials.outstanding().values_list("name", flat=True))
    if owed:
        names = "、".join(f"“{name}”" for name in owed)
        raise ActionError(f"容缺材料{names}尚未补交，不能办结或归档：请先登记补交，或由窗口说明原因后免于补交。")


class WithdrawAtWindow(CaseAction):
    """The window records the applicant's withdrawal made in person or by phone."""

    transition = "withdraw"

    def clean(self, *, reason):
        return {"reason": required(reason, "请填写撤回说明（如：申请人来电要求撤回）。")}

    def perform(self, case, *, reason):
        _withdraw(self, case, reason, label="应申请人要求撤回申请")
        return case


class WithdrawByApplicant(CaseAction):
    """The applicant withdraws from /progress/ (identity checked there by number and phone or query code)."""

    transition = "withdraw"

    def has_permission(self, case):
        return True

    def perform(self, case, *, reason=""):
        _withdraw(self, case, (reason or "").strip(), label="申请人撤回申请", actor_label="申请人")
        return case


def _withdraw(action, case, reason, *, label, actor_label=""):
    action.move(case, label=label, actor_label=actor_label, note=reason, closed_at=timezone.now())
    cancel_open_flows(case, user=action.user, actor_label=actor_label)
    notify_applicant(case, f"您的帮办代办申请（{case.number}）已撤回。如需继续办理，请重新申请。")


reject = Reject.run
request_supplement = RequestSupplement.run
register_supplement = RegisterSupplement.run
supplement_online = SupplementOnline.run
accept = Accept.run
receive_deferred = ReceiveDeferred.run
waive_deferred = WaiveDeferred.run
withdraw_at_window = WithdrawAtWindow.run
withdraw_by_applicant = WithdrawByApplicant.run
