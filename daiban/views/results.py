"""The end of the flow in the admin (反馈、评价、差评整改、归档, 附件7 print) and the applicant's online evaluation.

Cases are read through daiban.permissions (outside the person's scope: 404); the page
offers and runs actions through daiban.views.actions.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
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
from ..permissions import can_handle_at_window, cases_visible_to, visible_case_or_404
from ..roles import Scope
from ..services import results
from ..services.base import ActionError
from .actions import ActionViewMixin, Offer
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


class CaseResultsView(ActionViewMixin, CasePageMixin, ResultsMixin, TemplateView):
    """反馈、评价与归档 of one case."""

    template_name = "daiban/admin/results/case.html"
    case_related = CASE_RELATED

    def get_page_title(self):
        return f"反馈与评价 {self.case.number}"

    def get_success_url(self):
        return reverse("results:case", args=[self.case.pk])

    @cached_property
    def follow_up(self):
        evaluation = evaluation_of(self.case)
        return FollowUp.objects.filter(evaluation=evaluation).first() if evaluation else None

    def get_offers(self):
        case, user = self.case, self.request.user

        def offer(key, action, form_class, success, **kwargs):
            return Offer(key, action(case, user=user), form_class, success, prefix=key, **kwargs)

        offers = [
            offer("notify", results.NotifyResultReady, forms.ConfirmForm, "已通知申请人领取结果。"),
            offer(
                "pickup",
                results.RecordPickup,
                forms.PickupForm,
                "已登记结果领取，办件已办结。",
                initial={"collected_by": case.contact_name},
            ),
            offer("courier", results.RecordCourier, forms.CourierForm, "已登记快递邮寄，办件已办结。"),
            offer("evaluate", results.RecordEvaluation, forms.StaffEvaluationForm, "评价已登记。"),
            offer("archive", results.ArchiveCase, forms.ConfirmForm, "已归档。归档后办件不能再修改。"),
        ]
        if self.follow_up is not None:
            for key, action, form_class, success in FOLLOW_UP_ACTIONS:
                offers.append(Offer(key, action(self.follow_up, user=user), form_class, success, prefix=key))
        return offers

    def delivery_refusal(self):
        """Why the returned results cannot be handed over now (a 容缺 hold), so the page says so."""
        if self.case.status != CaseStatus.RESULTS_RETURNED:
            return ""
        return results.RecordPickup(self.case, user=self.request.user).refusal()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        context.update(
            case=case,
            phone=self.phone(),
            evaluation=evaluation_of(case),
            follow_up=self.follow_up,
            action_forms={key: forms_["form"] for key, forms_ in self.possible_forms().items()},
            events=case.events.select_related("actor").order_by("created_at", "pk"),
            is_archived=case.status == CaseStatus.ARCHIVED,
            courier=case.delivery == Delivery.COURIER,
            delivery_refusal=self.delivery_refusal(),
        )
        return context

    def phone(self):
        """The window needs the number for its callback (电话回访) until archiving; others see it masked."""
        case = self.case
        if can_handle_at_window(self.request.user, case) and case.status != CaseStatus.ARCHIVED:
            return case.contact_phone
        return mask_phone(case.contact_phone)


FOLLOW_UP_ACTIONS = [
    ("check", results.CheckFollowUp, forms.FollowUpCheckForm, "核查情况和整改期限已记录。"),
    ("call_back", results.CallBackFollowUp, forms.FollowUpCallBackForm, "回访情况已记录。"),
    ("close", results.CloseFollowUp, forms.ConfirmForm, "差评整改已关闭。"),
]


class FeedbackPrintView(TemplateView):
    """附件7 帮办代办服务事项反馈情况表, A4."""

    template_name = "daiban/admin/results/feedback_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = visible_case(self.request.user, self.kwargs["pk"])
        evaluation = evaluation_of(case)
        context.update(
            case=case,
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
            results.evaluate_online(case, version=form.cleaned_data["version"], **form.action_params())
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
