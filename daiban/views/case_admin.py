"""The case page in the admin: timeline, screening actions, window registration and the printable forms.

Contract for the other case pages (handling, results):
- `get_case_for(request, pk)` returns the case if the user may see it, else raises Http404;
- the detail template includes "daiban/admin/case/_handling.html" and "daiban/admin/case/_results.html"
  with `case` and `user_can_act_at_window` in the context;
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
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from ..forms.intake import (
    AcceptForm,
    DeferredFormSet,
    MaterialFormSet,
    NoticeForm,
    ReceiveDeferredForm,
    RejectForm,
    SupplementForm,
    WaiveDeferredForm,
    WindowRegistrationForm,
    WithdrawForm,
    error_summary,
)
from ..models import CaseEvent, CaseStatus, DeferredMaterial, NoticeItem, OneTimeNotice
from ..permissions import can_handle_at_window, cases_visible_to, registration_centres
from ..services import intake
from ..services.base import ActionError
from .actions import ActionViewMixin, Offer
from .case_guide import CLOSED_STATUSES, next_step

__all__ = ["detail_url", "get_case_for", "urlpatterns"]


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


# The case page and its screening actions -----------------------------------------------------------


class Screening:
    """How the case page shows one screening action: its button, and the offer behind it."""

    def __init__(self, key, label, button_class="button"):
        self.name, self.label, self.button_class = key, label, button_class


SCREENING = [
    Screening("accept", "受理"),
    Screening("request_supplement", "一次性告知", "button button-secondary"),
    Screening("supplement", "登记补正"),
    Screening("reject", "不予受理", "button no"),
    Screening("withdraw", "登记撤回", "button button-secondary no"),
]
SCREENING_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.PENDING_SUPPLEMENT)


class AcceptOffer(Offer):
    """受理 takes the window's opinion and the 容缺 materials that follow later."""

    def forms(self, data=None, files=None):
        return {**super().forms(data, files), "deferred": DeferredFormSet(data, prefix="deferred")}

    def params(self, forms):
        return {**super().params(forms), "deferred": forms["deferred"].deferred()}


def accepted_message(case):
    if case.deferred_materials.exists():
        return "已受理（预审+容缺）。请打印申请表一式两份。"
    return "已受理。请打印申请表一式两份。"


class CaseDetailView(ActionViewMixin, TemplateView):
    """The case page: request, timeline, the next step, screening, 容缺 materials and notices.

    Screening actions post to daiban_case_action (the action's name in the URL).
    """

    template_name = "daiban/admin/case/detail.html"
    http_method_names = ["get"]

    @cached_property
    def case(self):
        return get_case_for(self.request, self.kwargs["pk"])

    def get_success_url(self):
        return reverse("daiban_case_detail", args=[self.case.pk])

    def get_offers(self):
        case, user = self.case, self.request.user
        return [
            AcceptOffer("accept", intake.Accept(case, user=user), AcceptForm, accepted_message),
            Offer(
                "request_supplement",
                intake.RequestSupplement(case, user=user),
                NoticeForm,
                "已出具一次性告知书，并已通知申请人。可打印告知书交给申请人。",
                case=case,
            ),
            Offer(
                "supplement",
                intake.RegisterSupplement(case, user=user),
                SupplementForm,
                "已登记补正材料，办件回到待甄别。",
            ),
            Offer("reject", intake.Reject(case, user=user), RejectForm, "已登记不予受理，并已通知申请人。"),
            Offer("withdraw", intake.WithdrawAtWindow(case, user=user), WithdrawForm, "已登记申请人撤回。"),
            Offer(
                "receive_deferred",
                intake.ReceiveDeferred(case, user=user),
                ReceiveDeferredForm,
                lambda material: f"已登记“{material.name}”补交。",
            ),
            Offer(
                "waive_deferred",
                intake.WaiveDeferred(case, user=user),
                WaiveDeferredForm,
                lambda material: f"已登记“{material.name}”免于补交。",
            ),
        ]

    def requested_offer(self):
        offer = self.offers_by_key().get(self.kwargs.get("name"))
        if offer is None:
            raise Http404("没有这个操作。")
        return offer

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.case, self.request.user
        possible = self.possible_forms()
        can_act = can_handle_at_window(user, case)
        today = timezone.localdate()
        bound = next(iter(self.bound.values()), None)
        context.update(
            case=case,
            user_can_act_at_window=can_act,
            next_step=next_step(user, case, at_window=can_act),
            screening=[
                {"action": item, "forms": possible[item.name], "open": item.name in self.bound}
                for item in SCREENING
                if item.name in possible
            ],
            screening_heading="甄别与受理" if case.status in SCREENING_STATUSES else "撤回申请",
            deferred_rows=[
                {"material": m, "overdue": m.is_outstanding and m.due_date < today}
                for m in case.deferred_materials.all()
            ],
            can_receive_deferred="receive_deferred" in possible,
            can_waive_deferred="waive_deferred" in possible,
            events=case.events.all(),
            notices=case.notices.all(),
            # The window calls the applicant until the case is over; everyone else sees masked details.
            show_full_contact=can_act and case.status not in CLOSED_STATUSES,
            errors=error_summary(*bound.values()) if bound else [],
        )
        return context


class CaseActionView(CaseDetailView):
    """POST only: runs one screening action, then shows the case page again or redirects."""

    http_method_names = ["post"]


def register(request):
    """Window registration of a walk-in, phone or home-visit request."""
    if not registration_centres(request.user).exists():
        raise PermissionDenied("只有帮办代办窗口人员或部门帮办代办员可以登记申请。")
    if request.method == "POST":
        form = WindowRegistrationForm(request.POST, request.FILES, user=request.user)
        materials = MaterialFormSet(request.POST, prefix="materials")
        if form.finding:  # 查找事项 without JavaScript: the same form again, with the matches
            return _render_register(request, form, materials, status=200)
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
    return _render_register(request, form, materials, status=status)


def _render_register(request, form, materials, *, status):
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
    context = {"case": case, "copies": copies}
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
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="daiban_case_detail"),
    path("cases/<int:pk>/action/<slug:name>/", CaseActionView.as_view(), name="daiban_case_action"),
    path("cases/<int:pk>/print/application/", print_application, name="daiban_case_print_application"),
    path("cases/<int:pk>/print/notice/<int:notice_pk>/", print_notice, name="daiban_case_print_notice"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", attachment, name="daiban_case_attachment"),
]
