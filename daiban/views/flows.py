"""Linked handling in the admin: the units' queue (我的办件), a case's 联动办理 page, routing, 附件6 print.

Every view reads cases through daiban.permissions (a case outside the person's scope is
a 404); the pages offer and run actions through daiban.views.actions.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import deadlines
from ..assignment import current_handler
from ..forms import handling as forms
from ..forms.base import ActionForm
from ..masking import mask_phone
from ..models import OPEN_FLOW_STATUSES, FlowStatus, Handover, HandoverItem, ServiceForm
from ..permissions import can_handle_at_window, can_handle_flow, can_supervise, visible_case_or_404
from ..services import handling, handovers
from .actions import ActionViewMixin, Offer
from .mixins import CasePageMixin

CASE_RELATED = ("matter", "centre", "region", "lead_unit", "coordinator")


def visible_case(user, pk):
    return visible_case_or_404(user, pk, CASE_RELATED)


def sees_every_flow(user, case):
    """The window, supervisors, the 专班 coordinator and the lead unit see every unit's flow."""
    if can_handle_at_window(user, case) or can_supervise(user, case):
        return True
    lead = next((flow for flow in case.flows.all() if flow.is_lead), None)
    return lead is not None and can_handle_flow(user, lead)


class HandlingMixin(WagtailAdminTemplateMixin):
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": reverse("handling:queue"), "label": "我的办件"}]


class QueueView(HandlingMixin, TemplateView):
    """我的办件: the flows of the person's unit, the flows their unit leads, and their 专班's."""

    template_name = "daiban/admin/handling/queue.html"
    page_title = "我的办件"
    STATES = {
        "open": ("在办", None),
        deadlines.DUE_SOON: ("临期", deadlines.flows_due_soon),
        deadlines.OVERDUE: ("逾期", deadlines.flows_overdue),
        "completed": ("已办结", None),
    }

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "我的办件"}]

    def flows(self, state):
        queryset = deadlines.flows_for(self.request.user).select_related(
            "case__matter", "unit", "assignee", "case__lead_unit"
        )
        if state == "completed":
            return queryset.filter(status=FlowStatus.COMPLETED).order_by("-completed_on", "-pk")
        queryset = deadlines.open_flows(queryset) if state == "open" else self.STATES[state][1](queryset)
        return queryset.order_by("due_date", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "open")
        if state not in self.STATES:
            state = "open"
        page = Paginator(self.flows(state), 50).get_page(self.request.GET.get("p"))
        limit = deadlines.due_soon_limit()
        rows = [(flow, deadlines.label(deadlines.deadline_state(flow.due_date, limit=limit))) for flow in page]
        context.update(page=page, rows=rows, state=state, states=[(k, v[0]) for k, v in self.STATES.items()])
        return context


# The flow actions a unit's 帮办代办员 finds on each flow: key → (action, form, message after it worked).
FLOW_ACTIONS = {
    "accept": (handling.AcceptFlow, forms.AcceptFlowForm, lambda flow: f"{flow.unit.name}已受理。"),
    "complete": (handling.CompleteFlow, forms.CompleteFlowForm, lambda flow: f"{flow.unit.name}已办结。"),
    "resume": (handling.ResumeFlow, ActionForm, "已恢复办理。"),
    "request_materials": (
        handling.RequestMaterials,
        forms.RequestMaterialsForm,
        "已退回帮办代办窗口补充材料，窗口将一次性告知申请人。",
    ),
}


class HandoverOffer(Offer):
    """附件6: the sides come from the case's units; the handover belongs to the flow of the unit involved."""

    def __init__(self, action, flows, *, from_side):
        parties = [flow.unit for flow in flows]
        super().__init__(
            "handover",
            action,
            forms.HandoverForm,
            lambda handover: f"材料交接已登记（第{handover.pk}号），请接收方确认接收。",
            prefix="h",
            initial={"from_side": from_side},
            parties=parties,
        )
        self.flows = flows

    def params(self, forms_):
        params = super().params(forms_)
        units = (params["from_unit"], params["to_unit"])
        params["flow"] = next((flow for flow in self.flows if flow.unit in units), None)
        return params


class CaseHandlingView(ActionViewMixin, CasePageMixin, HandlingMixin, TemplateView):
    """联动办理 of one case: flows with their actions, handovers, 督导 notes."""

    template_name = "daiban/admin/handling/case.html"
    case_related = CASE_RELATED

    def get_page_title(self):
        return f"联动办理 {self.case.number}"

    def get_success_url(self):
        return reverse("handling:case", args=[self.case.pk])

    @cached_property
    def all_flows(self):
        return list(self.case.flows.select_related("unit", "assignee__user"))

    def visible_flows(self):
        user = self.request.user
        if sees_every_flow(user, self.case):
            return self.all_flows
        return [flow for flow in self.all_flows if can_handle_flow(user, flow)]

    @cached_property
    def handovers(self):
        return list(
            self.case.handovers.select_related("from_unit", "to_unit", "case").prefetch_related(
                Prefetch("items", queryset=HandoverItem.objects.order_by("pk"))
            )
        )

    # What the page offers

    def flow_offers(self, flow):
        user, days = self.request.user, self.case.matter.promised_days if self.case.matter_id else 0
        offers = []
        for name, (action_class, form_class, success) in FLOW_ACTIONS.items():
            kwargs = {"promised_days": days} if name == "accept" else {}
            action = action_class(flow, user=user)
            offers.append(Offer(f"{name}:{flow.pk}", action, form_class, success, prefix=f"f{flow.pk}", **kwargs))
        offers.append(
            Offer(
                f"send_back:{flow.pk}",
                handling.SendBackResults(flow, user=user),
                forms.SendBackForm,
                f"已将办理结果退回{flow.unit.name}补充完善，单位已收到通知。",
                prefix=f"s{flow.pk}",
            )
        )
        return offers

    def get_offers(self):
        case, user = self.case, self.request.user
        offers = [offer for flow in self.visible_flows() for offer in self.flow_offers(flow)]
        offers.append(
            Offer(
                "add_unit",
                handling.AddCoHandlingUnit(case, user=user),
                forms.AddUnitForm,
                lambda flow: f"已增加协办单位：{flow.unit.name}。",
                case=case,
            )
        )
        window = can_handle_at_window(user, case)
        own = next((flow.unit for flow in self.all_flows if can_handle_flow(user, flow)), None)
        from_side = "window" if window or own is None else forms.party_key("unit", own)
        offers.append(HandoverOffer(handovers.CreateHandover(case, user=user), self.all_flows, from_side=from_side))
        for handover in self.handovers:
            confirm = handovers.ConfirmReceipt(handover, user=user)
            offers.append(Offer(f"confirm:{handover.pk}", confirm, forms.ConfirmReceiptForm, "已确认接收。"))
        offers.append(
            Offer(
                "supervise",
                handling.AddSupervisionNote(case, user=user),
                forms.SupervisionForm,
                "督办意见已记录，已通知在办单位。",
            )
        )
        return offers

    def requested_offer(self):
        key = self.request.POST.get("action", "")
        target = self.request.POST.get("flow") or self.request.POST.get("handover")
        offers = self.offers_by_key()
        if target:
            offer = offers.get(f"{key}:{target}")
            if offer is None and (key in FLOW_ACTIONS or key in ("send_back", "confirm")):
                raise Http404("没有找到该单位流转或交接记录。")
            return offer
        return offers.get(key)

    # Rendering

    def co_units_still_open(self, flow):
        """For the lead unit: the co-handling units it still waits for."""
        if not flow.is_lead:
            return []
        return [f.unit.name for f in self.all_flows if f.pk != flow.pk and f.status in OPEN_FLOW_STATUSES]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, case = self.request.user, self.case
        possible = self.possible_forms()
        limit = deadlines.due_soon_limit()
        flows = []
        for flow in self.visible_flows():
            flow_forms = {
                name: possible[f"{name}:{flow.pk}"]["form"] for name in FLOW_ACTIONS if f"{name}:{flow.pk}" in possible
            }
            send_back = possible.get(f"send_back:{flow.pk}")
            flows.append(
                {
                    "flow": flow,
                    "forms": flow_forms,
                    "send_back_form": send_back["form"] if send_back else None,
                    "waiting_for": self.co_units_still_open(flow),
                    "warning": deadlines.label(deadlines.deadline_state(flow.due_date, limit=limit)),
                    "handler": current_handler(flow),
                }
            )
        confirm_form = next((forms_["form"] for key, forms_ in self.bound.items() if key.startswith("confirm:")), None)
        context.update(
            case=case,
            masked_phone=mask_phone(case.contact_phone),
            flows=flows,
            can_route=handling.RouteSingle(case, user=user).is_possible(),
            add_unit_form=_form(possible, "add_unit"),
            handovers=[(handover, f"confirm:{handover.pk}" in possible) for handover in self.handovers],
            handover_form=_form(possible, "handover"),
            confirm_form=confirm_form,
            notes=case.supervision_notes.select_related("author"),
            supervision_form=_form(possible, "supervise"),
            case_state=deadlines.label(deadlines.deadline_state(case.due_date, limit=limit)),
        )
        return context


def _form(possible, key):
    forms_ = possible.get(key)
    return forms_["form"] if forms_ else None


class RouteView(ActionViewMixin, HandlingMixin, TemplateView):
    """转办: the window picks the route and the units of an accepted case."""

    template_name = "daiban/admin/handling/route.html"
    offer_field = "route"
    ROUTES = {
        "single": (handling.RouteSingle, forms.RouteSingleForm),
        "bundle": (handling.RouteBundle, forms.RouteBundleForm),
        "task_force": (handling.RouteTaskForce, forms.RouteTaskForceForm),
    }

    @cached_property
    def case(self):
        return visible_case(self.request.user, self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not can_handle_at_window(request.user, self.case):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"转办 {self.case.number}"

    def get_breadcrumbs_items(self):
        return super().get_breadcrumbs_items() + [
            {"url": reverse("handling:case", args=[self.case.pk]), "label": self.case.number},
            {"url": "", "label": "转办"},
        ]

    def get_success_url(self):
        return reverse("handling:case", args=[self.case.pk])

    def get_offers(self):
        initial = {}
        if self.case.matter_id:
            initial = {"unit": self.case.matter.unit_id, "lead_unit": self.case.matter.unit_id}
        return [
            Offer(
                name,
                action_class(self.case, user=self.request.user),
                form_class,
                "已转办，相关单位已收到通知。",
                prefix=name,
                initial=initial,
                case=self.case,
            )
            for name, (action_class, form_class) in self.ROUTES.items()
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offers = self.get_offers()
        route_forms = {offer.key: (self.bound.get(offer.key) or offer.forms())["form"] for offer in offers}
        context.update(case=self.case, forms=route_forms, can_route=offers[0].is_possible)
        return context


class HandoverPrintView(TemplateView):
    """附件6 帮办代办事项所涉材料交接表, one handover per A4 page."""

    template_name = "daiban/admin/handling/handover_print.html"
    ROWS = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = visible_case(self.request.user, self.kwargs["case_pk"])
        handover = get_object_or_404(
            Handover.objects.select_related("from_unit", "to_unit").prefetch_related("items"),
            pk=self.kwargs["pk"],
            case=case,
        )
        items = list(handover.items.all())
        rows = items + [None] * max(self.ROWS - len(items), 0)
        forms_ = [(value, label, case.service_form == value) for value, label in ServiceForm.choices]
        context.update(
            case=case,
            handover=handover,
            rows=rows,
            service_forms=forms_,
        )
        return context


urlpatterns = [
    path("", QueueView.as_view(), name="queue"),
    path("cases/<int:pk>/", CaseHandlingView.as_view(), name="case"),
    path("cases/<int:pk>/route/", RouteView.as_view(), name="route"),
    path("cases/<int:case_pk>/handovers/<int:pk>/print/", HandoverPrintView.as_view(), name="handover_print"),
]
