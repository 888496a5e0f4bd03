"""The end of the flow in the admin (反馈、评价、差评整改、归档, 附件7 print) and the applicant's online evaluation.

Cases are read through daiban.permissions (outside the person's scope: 404); every
action goes through daiban.services.results, which checks permission again and
refuses stale forms; refused input is re-rendered as typed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..forms import results as forms
from ..forms.results import EVALUATION_DRAFT_KEY
from ..masking import mask_phone
from ..models import Case, CaseStatus, Delivery, FollowUp, FollowUpStatus, Satisfaction, ServiceForm
from ..permissions import can_handle_at_window, can_supervise, cases_visible_to, visible_case_or_404
from ..roles import Scope
from ..services import results
from ..services.base import ActionError, ActionPermissionDenied
from .mixins import CasePageMixin

CASE_RELATED = ("matter", "centre", "accepting_unit", "received_by")


def visible_case(user, pk):
    return visible_case_or_404(user, pk, CASE_RELATED)


def evaluation_of(case):
    return getattr(case, "evaluation", None)


class ResultsMixin(WagtailAdminTemplateMixin):
    header_icon = "success"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": reverse("results:follow_ups"), "label": "反馈与评价"}]


class CaseResultsView(CasePageMixin, ResultsMixin, TemplateView):
    """反馈、评价与归档 of one case."""

    template_name = "daiban/admin/results/case.html"
    case_related = CASE_RELATED
    FORMS = {
        "pickup": forms.PickupForm,
        "courier": forms.CourierForm,
        "notify": forms.VersionForm,
        "evaluate": forms.StaffEvaluationForm,
        "archive": forms.VersionForm,
        "check": forms.FollowUpCheckForm,
        "call_back": forms.FollowUpCallBackForm,
        "close": forms.EmptyForm,
    }

    def get_page_title(self):
        return f"反馈与评价 {self.case.number}"

    @cached_property
    def follow_up(self):
        evaluation = evaluation_of(self.case)
        return FollowUp.objects.filter(evaluation=evaluation).first() if evaluation else None

    def form(self, name):
        if name in self.bound:
            return self.bound[name]
        initial = {"version": self.case.version}
        if name == "pickup":
            initial["collected_by"] = self.case.contact_name
        return self.FORMS[name](initial=initial, prefix=name)

    def available(self):
        """The forms the person may use now."""
        case, user = self.case, self.request.user
        names = []
        if can_handle_at_window(user, case):
            if case.status == CaseStatus.RESULTS_RETURNED:
                names += ["notify", "pickup", "courier"]
            if case.status == CaseStatus.COMPLETED:
                names += [] if evaluation_of(case) else ["evaluate"]
                names += ["archive"]
        follow_up = self.follow_up
        if follow_up and can_supervise(user, case) and case.status != CaseStatus.ARCHIVED:
            names += {
                FollowUpStatus.OPEN: ["check"],
                FollowUpStatus.RECTIFYING: ["call_back"],
                FollowUpStatus.CALLED_BACK: ["close"],
            }.get(follow_up.status, [])
        return names

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        context.update(
            case=case,
            phone=self.phone(),
            evaluation=evaluation_of(case),
            follow_up=self.follow_up,
            action_forms={name: self.form(name) for name in self.available()},
            events=case.events.select_related("actor").order_by("created_at", "pk"),
            is_archived=case.status == CaseStatus.ARCHIVED,
            courier=case.delivery == Delivery.COURIER,
        )
        return context

    def phone(self):
        """The window needs the number for its callback (电话回访) until archiving; others see it masked."""
        case = self.case
        if can_handle_at_window(self.request.user, case) and case.status != CaseStatus.ARCHIVED:
            return case.contact_phone
        return mask_phone(case.contact_phone)

    def post(self, request, *args, **kwargs):
        name = request.POST.get("action", "")
        if name not in self.FORMS:
            return HttpResponseBadRequest("未知操作")
        if name not in self.available():
            if self.case.status == CaseStatus.ARCHIVED:
                messages.error(request, "该办件已归档，归档后不能再修改。")
                return self.render_to_response(self.get_context_data(), status=409)
            raise PermissionDenied
        form = self.FORMS[name](request.POST, prefix=name)
        if not form.is_valid():
            return self.refused(name, form)
        try:
            message = self.run(name, form.cleaned_data)
        except ActionError as error:
            return self.refused(name, form, error)
        messages.success(request, message)
        return redirect(reverse("results:case", args=[self.case.pk]))

    def refused(self, name, form, error=None):
        self.bound[name] = form
        messages.error(self.request, str(error) if error else "请检查填写的内容。")
        status = 403 if isinstance(error, ActionPermissionDenied) else 200
        return self.render_to_response(self.get_context_data(), status=status)

    def run(self, name, data):
        case, user, version = self.case, self.request.user, data.get("version")
        if name == "notify":
            results.notify_result_ready(case, user, expected_version=version)
            return "已通知申请人领取结果。"
        if name == "pickup":
            results.record_pickup(
                case,
                user,
                collected_by=data["collected_by"],
                identity_checked=data["identity_checked"],
                result_note=data["result_note"],
                expected_version=version,
            )
            return "已登记结果领取，办件已办结。"
        if name == "courier":
            results.record_courier(
                case,
                user,
                courier_company=data["courier_company"],
                tracking_number=data["tracking_number"],
                result_note=data["result_note"],
                expected_version=version,
            )
            return "已登记快递邮寄，办件已办结。"
        if name == "evaluate":
            results.record_evaluation(
                case,
                user,
                level=data["level"],
                method=data["method"],
                comment=data["comment"],
                evaluated_at=data["evaluated_at"],
                expected_version=version,
            )
            return "评价已登记。"
        if name == "archive":
            results.archive_case(case, user, expected_version=version)
            return "已归档。归档后办件不能再修改。"
        return self.run_follow_up(name, data)

    def run_follow_up(self, name, data):
        user, follow_up = self.request.user, self.follow_up
        if name == "check":
            results.check_follow_up(follow_up, user, **data)
            return "核查情况和整改期限已记录。"
        if name == "call_back":
            results.call_back_follow_up(follow_up, user, callback_note=data["callback_note"])
            return "回访情况已记录。"
        results.close_follow_up(follow_up, user)
        return "差评整改已关闭。"


class FeedbackPrintView(TemplateView):
    """附件7 帮办代办服务事项反馈情况表, A4."""

    template_name = "daiban/admin/results/feedback_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = visible_case(self.request.user, self.kwargs["pk"])
        evaluation = evaluation_of(case)
        context.update(
            case=case,
            phone=mask_phone(case.contact_phone),
            evaluation=evaluation,
            service_forms=[(value, label, case.service_form == value) for value, label in ServiceForm.choices],
            levels=_levels(evaluation),
            methods=[("phone", "电话回访"), ("on_site", "现场评价"), ("online", "网上好差评")],
            handover=case.handovers.filter(is_result=True).prefetch_related("items").order_by("-pk").first(),
        )
        return context


def _levels(evaluation):
    return [(label, evaluation is not None and evaluation.level == value) for value, label in Satisfaction.choices]


class FollowUpListView(ResultsMixin, TemplateView):
    """差评整改: the follow-ups in the supervisor's region, open ones first."""

    template_name = "daiban/admin/results/follow_ups.html"
    page_title = "差评整改"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "差评整改"}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = Scope.for_user(user)
        if not scope.is_supervisor:
            raise PermissionDenied
        follow_ups = (
            FollowUp.objects.filter(evaluation__case__in=cases_visible_to(user))
            .select_related("evaluation__case__accepting_unit", "evaluation__case__centre")
            .order_by("status", "-evaluation__evaluated_at")
        )
        show_closed = self.request.GET.get("closed") == "1"
        if not show_closed:
            follow_ups = follow_ups.exclude(status=FollowUpStatus.CLOSED)
        context.update(follow_ups=follow_ups[:200], show_closed=show_closed)
        return context


# The applicant's online evaluation (from /progress/) ------------------------------------------------


def progress_case(request):
    """The case the progress page verified in this session (number + phone or query code), or None."""
    from .public_cases import PROGRESS_KEY

    pk = request.session.get(PROGRESS_KEY)
    return Case.objects.filter(pk=pk).first() if pk else None


@require_POST
def evaluate_online(request):
    case = progress_case(request)
    if case is None or str(case.pk) != request.POST.get("case", ""):
        messages.error(request, "请先输入办件编号和联系电话查询办件，再进行评价。")
        return redirect("daiban:progress")
    form = forms.OnlineEvaluationForm(request.POST)
    if form.is_valid():
        try:
            results.evaluate_online(case, level=form.cleaned_data["level"], comment=form.cleaned_data["comment"])
        except ActionError as error:
            request.session[EVALUATION_DRAFT_KEY] = {"data": request.POST.dict(), "error": str(error)}
        else:
            request.session.pop(EVALUATION_DRAFT_KEY, None)
            messages.success(request, "感谢您的评价！")
            return redirect(f"{reverse('daiban:progress')}#evaluation")
    else:
        request.session[EVALUATION_DRAFT_KEY] = {"data": request.POST.dict(), "error": ""}
    return redirect(f"{reverse('daiban:progress')}#evaluation")


urlpatterns = [
    path("cases/<int:pk>/", CaseResultsView.as_view(), name="case"),
    path("cases/<int:pk>/feedback/print/", FeedbackPrintView.as_view(), name="feedback_print"),
    path("follow-ups/", FollowUpListView.as_view(), name="follow_ups"),
]
