"""The case page in the admin: timeline, screening actions, window registration and the printable forms.

Contract for the other case pages (handling, results):
- `get_case_for(request, pk)` returns the case if the user may see it, else raises Http404;
- the detail template includes "daiban/admin/case/_handling.html" and "daiban/admin/case/_results.html"
  with `case`, `user_can_act_at_window` and `actions` (names of the TRANSITIONS allowed in the
  case's state, for a user who may act at the case's window; empty otherwise) in the context;
- URL names: daiban_case_detail, daiban_case_register, daiban_case_action, daiban_case_print_application,
  daiban_case_print_notice, daiban_case_attachment.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..forms.intake import (
    AcceptForm,
    DeferredFormSet,
    MaterialFormSet,
    NoticeForm,
    ReceiveDeferredForm,
    RejectForm,
    SupplementForm,
    WindowRegistrationForm,
    WithdrawForm,
    error_summary,
)
from ..models import CaseEvent, CaseStatus, DeferredMaterial, NoticeItem, OneTimeNotice
from ..permissions import can_handle_at_window, cases_visible_to
from ..services import intake
from ..services.base import ActionError, ActionPermissionDenied, ConcurrentUpdate, allowed_actions
from .case_guide import CLOSED_STATUSES, next_step

__all__ = ["ACTIONS", "detail_url", "get_case_for", "urlpatterns"]


def get_case_for(request, pk):
    """The case with everything the case page shows, if `request.user` may see it; else Http404."""
    queryset = cases_visible_to(request.user).select_related(
        "centre__region",
        "centre__window_unit",
        "region",
        "matter",
        "accepting_unit",
        "received_by",
        "lead_unit",
        "evaluation__follow_up",
    )
    queryset = queryset.prefetch_related(
        "units",
        "materials",
        "attachments",
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("created_at", "pk")),
        Prefetch("deferred_materials", queryset=DeferredMaterial.objects.order_by("due_date", "pk")),
        Prefetch(
            "notices",
            queryset=OneTimeNotice.objects.select_related("issued_by").prefetch_related(
                Prefetch("items", queryset=NoticeItem.objects.order_by("pk"))
            ),
        ),
    )
    case = queryset.filter(pk=pk).first()
    if case is None:
        raise Http404("办件不存在，或您无权查看。")
    return case


# Screening actions: each builds its forms and calls the service ---------------------------------


class CaseAction:
    name = ""
    label = ""
    button_class = "button"
    form_class = None

    def is_available(self, case, names):
        return self.name in names

    def build(self, case, data=None, files=None):
        initial = {"version": case.version}
        return {"form": self.form_class(data, files, initial=initial)}

    def is_valid(self, forms):
        return all(form.is_valid() for form in forms.values())

    def perform(self, user, case, forms):
        raise NotImplementedError


class Reject(CaseAction):
    name, label, button_class = "reject", "不予受理", "button no"
    form_class = RejectForm

    def perform(self, user, case, forms):
        data = forms["form"].cleaned_data
        intake.reject(user, case, reason=data["reason"], redirect_unit=data["redirect_unit"], version=data["version"])
        return "已登记不予受理，并已通知申请人。"


class RequestSupplement(CaseAction):
    name, label, button_class = "request_supplement", "一次性告知", "button button-secondary"

    def build(self, case, data=None, files=None):
        return {"form": NoticeForm(data, initial={"version": case.version}, case=case)}

    def perform(self, user, case, forms):
        form = forms["form"]
        data = form.cleaned_data
        intake.request_supplement(user, case, items=form.items(), note=data["note"], version=data["version"])
        return "已出具一次性告知书，并已通知申请人。可打印告知书交给申请人。"


class Supplement(CaseAction):
    name, label = "supplement", "登记补正"
    form_class = SupplementForm

    def perform(self, user, case, forms):
        data = forms["form"].cleaned_data
        intake.register_supplement(user, case, note=data["note"], files=data["files"], version=data["version"])
        return "已登记补正材料，办件回到待甄别。"


class Accept(CaseAction):
    name, label = "accept", "受理"

    def build(self, case, data=None, files=None):
        return {
            "form": AcceptForm(data, initial={"version": case.version}),
            "deferred": DeferredFormSet(data, prefix="deferred"),
        }

    def perform(self, user, case, forms):
        data = forms["form"].cleaned_data
        deferred = forms["deferred"].deferred()
        intake.accept(user, case, window_opinion=data["window_opinion"], deferred=deferred, version=data["version"])
        return "已受理（预审+容缺）。请打印申请表一式两份。" if deferred else "已受理。请打印申请表一式两份。"


class Withdraw(CaseAction):
    name, label, button_class = "withdraw", "登记撤回", "button button-secondary no"
    form_class = WithdrawForm

    def perform(self, user, case, forms):
        data = forms["form"].cleaned_data
        intake.withdraw_at_window(user, case, reason=data["reason"], version=data["version"])
        return "已登记申请人撤回。"


class ReceiveDeferred(CaseAction):
    """Not a status change: a 容缺 material arrived. Offered per outstanding material on the page."""

    name, label = "receive_deferred", "登记容缺材料补交"
    form_class = ReceiveDeferredForm

    def is_available(self, case, names):
        return any(m.received_at is None for m in case.deferred_materials.all())

    def perform(self, user, case, forms):
        data = forms["form"].cleaned_data
        material = intake.receive_deferred(user, case, material_id=data["material_id"], version=data["version"])
        return f"已登记“{material.name}”补交。"


SCREENING = [Accept(), RequestSupplement(), Supplement(), Reject(), Withdraw()]
SCREENING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.PENDING_SUPPLEMENT)
ACTIONS = {action.name: action for action in [*SCREENING, ReceiveDeferred()]}


# Views -------------------------------------------------------------------------------------------


def detail(request, pk):
    case = get_case_for(request, pk)
    return _render_detail(request, case)


def _render_detail(request, case, *, bound=None, status=200):
    """The case page; `bound` is (action name, forms) of a rejected submission, shown open with its input."""
    can_act = can_handle_at_window(request.user, case)
    names = allowed_actions(case) if can_act else []
    screening = []
    for action in SCREENING:
        if action.is_available(case, names):
            forms = bound[1] if bound and bound[0] == action.name else action.build(case)
            screening.append({"action": action, "forms": forms, "open": bool(bound and bound[0] == action.name)})
    today = timezone.localdate()
    context = {
        "case": case,
        "user_can_act_at_window": can_act,
        "actions": names,
        "next_step": next_step(request.user, case, at_window=can_act),
        "screening": screening,
        "screening_heading": "甄别与受理" if case.status in SCREENING_STATUSES else "撤回申请",
        "deferred_rows": [
            {"material": m, "overdue": m.received_at is None and m.due_date < today}
            for m in case.deferred_materials.all()
        ],
        "can_receive_deferred": can_act and ACTIONS["receive_deferred"].is_available(case, names),
        "events": case.events.all(),
        "notices": case.notices.all(),
        # The window calls the applicant until the case is over; everyone else sees masked details.
        "show_full_contact": can_act and case.status not in CLOSED_STATUSES,
        "errors": error_summary(*bound[1].values()) if bound else [],
    }
    return render(request, "daiban/admin/case/detail.html", context, status=status)


@require_POST
def action(request, pk, name):
    case = get_case_for(request, pk)
    handler = ACTIONS.get(name)
    if handler is None:
        raise Http404("没有这个操作。")
    if not can_handle_at_window(request.user, case):
        return _refuse(request, case, intake.DENIED)
    forms = handler.build(case, request.POST, request.FILES)
    if not handler.is_valid(forms):
        return _render_detail(request, case, bound=(name, forms), status=400)
    try:
        done = handler.perform(request.user, case, forms)
    except ActionPermissionDenied as error:
        return _refuse(request, case, str(error))
    except ActionError as error:
        messages.error(request, str(error))
        case = get_case_for(request, pk)
        if isinstance(error, ConcurrentUpdate):
            forms = _rebind_with_version(handler, case, request)
        return _render_detail(request, case, bound=(name, forms), status=409)
    messages.success(request, done)
    return redirect("daiban_case_detail", pk=case.pk)


def _refuse(request, case, message):
    messages.error(request, message)
    return _render_detail(request, case, status=403)


def _rebind_with_version(handler, case, request):
    """Keep what the person typed, with the current version so they can submit again after reviewing."""
    data = request.POST.copy()
    data["version"] = str(case.version)
    forms = handler.build(case, data, request.FILES)
    handler.is_valid(forms)
    return forms


def register(request):
    """Window registration of a walk-in, phone or home-visit request."""
    if not intake.registration_centres(request.user).exists():
        raise PermissionDenied("只有帮办代办窗口人员或部门帮办代办员可以登记申请。")
    if request.method == "POST":
        form = WindowRegistrationForm(request.POST, request.FILES, user=request.user)
        materials = MaterialFormSet(request.POST, prefix="materials")
        if form.is_valid() and materials.is_valid():
            try:
                case = intake.register_at_window(
                    request.user,
                    form.details(),
                    channel=form.cleaned_data["channel"],
                    materials=materials.materials(),
                    files=form.cleaned_data["files"],
                    department=form.cleaned_data.get("department"),
                )
            except ActionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"已登记申请，办件编号 {case.number}，查询码 {case.query_code}。")
                return redirect("daiban_case_detail", pk=case.pk)
        status = 400
    else:
        form = WindowRegistrationForm(user=request.user)
        materials = MaterialFormSet(prefix="materials")
        status = 200
    context = {
        "form": form,
        "materials": materials,
        "errors": error_summary(form, materials) if form.is_bound else [],
        "files_lost": form.is_bound and bool(request.FILES),
    }
    return render(request, "daiban/admin/case/register.html", context, status=status)


def print_application(request, pk):
    """附件5 帮办代办服务申请表, two copies on A4 (申请人 and 窗口)."""
    case = get_case_for(request, pk)
    copies = ["申请人留存", "帮办代办窗口留存"]
    context = {"case": case, "copies": copies, "show_full_contact": can_handle_at_window(request.user, case)}
    return render(request, "daiban/admin/case/print_application.html", context)


def print_notice(request, pk, notice_pk):
    case = get_case_for(request, pk)
    notice = next((n for n in case.notices.all() if n.pk == notice_pk), None)
    if notice is None:
        raise Http404
    return render(request, "daiban/admin/case/print_notice.html", {"case": case, "notice": notice})


def attachment(request, pk, attachment_pk):
    """Uploaded files are personal data: served only to people who may see the case."""
    case = get_case_for(request, pk)
    upload = next((a for a in case.attachments.all() if a.pk == attachment_pk), None)
    if upload is None:
        raise Http404
    return FileResponse(upload.file.open("rb"), as_attachment=True, filename=upload.original_name)


def detail_url(case):
    return reverse("daiban_case_detail", args=[case.pk])


urlpatterns = [
    path("cases/register/", register, name="daiban_case_register"),
    path("cases/<int:pk>/", detail, name="daiban_case_detail"),
    path("cases/<int:pk>/action/<slug:name>/", action, name="daiban_case_action"),
    path("cases/<int:pk>/print/application/", print_application, name="daiban_case_print_application"),
    path("cases/<int:pk>/print/notice/<int:notice_pk>/", print_notice, name="daiban_case_print_notice"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", attachment, name="daiban_case_attachment"),
]


def register_log_actions(actions):
    from daiban.services.intake import LOG_ACTIONS

    for name, label in LOG_ACTIONS.items():
        actions.register_action(f"daiban.case.{name}", label, label)
