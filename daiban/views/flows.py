"""Linked handling in the admin: the units' queue (我的办件), a case's 联动办理 page, routing, 附件6 print.

Every view reads cases through daiban.permissions (a case outside the person's
scope is a 404) and every action goes through daiban.services, which check
permission again and refuse stale forms; refused input is re-rendered as typed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import deadlines
from ..forms import handling as forms
from ..masking import mask_phone
from ..models import CaseStatus, FlowStatus, Handover, HandoverItem, ServiceForm
from ..permissions import (
    can_handle_at_window,
    can_handle_flow,
    can_supervise,
    visible_case_or_404,
)
from ..services import handling, handovers
from ..services.base import ActionError, ActionPermissionDenied
from .mixins import CasePageMixin

FLOW_FORMS = {
    "accept": forms.AcceptFlowForm,
    "request_materials": forms.RequestMaterialsForm,
    "resume": forms.VersionForm,
    "complete": forms.CompleteFlowForm,
}


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


class CaseHandlingView(CasePageMixin, HandlingMixin, TemplateView):
    """联动办理 of one case: flows with their actions, handovers, 督导 notes."""

    template_name = "daiban/admin/handling/case.html"
    case_related = CASE_RELATED

    def get_page_title(self):
        return f"联动办理 {self.case.number}"

    @cached_property
    def all_flows(self):
        return list(self.case.flows.select_related("unit", "assignee__user"))

    def visible_flows(self):
        user = self.request.user
        if sees_every_flow(user, self.case):
            return self.all_flows
        return [flow for flow in self.all_flows if can_handle_flow(user, flow)]

    # Rendering

    def flow_forms(self, flow):
        if not can_handle_flow(self.request.user, flow) or self.case.status != CaseStatus.IN_PROGRESS:
            return {}
        names = {
            FlowStatus.ASSIGNED: ["accept", "request_materials"],
            FlowStatus.ACCEPTED: ["complete", "request_materials"],
            FlowStatus.NEEDS_MATERIALS: ["resume"],
        }.get(flow.status, [])
        return {name: self.bound.get((flow.pk, name)) or self.unbound_flow_form(flow, name) for name in names}

    def unbound_flow_form(self, flow, name):
        kwargs = {"prefix": f"f{flow.pk}", "initial": {"version": flow.version}}
        if name == "accept":
            kwargs["promised_days"] = self.case.matter.promised_days if self.case.matter_id else 0
        return FLOW_FORMS[name](**kwargs)

    def co_units_still_open(self, flow):
        """For the lead unit: the co-handling units it still waits for."""
        if not flow.is_lead:
            return []
        return [f.unit.name for f in self.all_flows if f.pk != flow.pk and f.status in handling.OPEN_FLOW_STATUSES]

    def send_back_form(self, flow):
        """The window may send a returned result back to its unit while the results wait at the window."""
        case = self.case
        if not (case.status == CaseStatus.RESULTS_RETURNED and flow.status == FlowStatus.COMPLETED):
            return None
        if not can_handle_at_window(self.request.user, case):
            return None
        bound = self.bound.get((flow.pk, "send_back"))
        return bound or forms.SendBackForm(prefix=f"s{flow.pk}", initial={"version": case.version})

    def handover_rows(self):
        queryset = self.case.handovers.select_related("from_unit", "to_unit").prefetch_related(
            Prefetch("items", queryset=HandoverItem.objects.order_by("pk"))
        )
        user = self.request.user
        return [(handover, handovers.can_confirm(user, handover)) for handover in queryset]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        case = self.case
        limit = deadlines.due_soon_limit()
        flows = [
            {
                "flow": flow,
                "forms": self.flow_forms(flow),
                "send_back_form": self.send_back_form(flow),
                "waiting_for": self.co_units_still_open(flow),
                "warning": deadlines.label(deadlines.deadline_state(flow.due_date, limit=limit)),
                "handler": handling.current_handler(flow),
            }
            for flow in self.visible_flows()
        ]
        can_add_unit = handling.can_add_co_handling_unit(user, case)
        context.update(
            case=case,
            masked_phone=mask_phone(case.contact_phone),
            flows=flows,
            can_route=case.status == CaseStatus.ACCEPTED and can_handle_at_window(user, case),
            add_unit_form=self.bound.get("add_unit")
            or (forms.AddUnitForm(case=case, initial={"version": case.version}) if can_add_unit else None),
            handovers=self.handover_rows(),
            handover_form=self.bound.get("handover") or self.unbound_handover_form(),
            confirm_form=self.bound.get("confirm"),
            notes=case.supervision_notes.select_related("author"),
            supervision_form=(self.bound.get("supervise") or forms.SupervisionForm())
            if can_supervise(user, case)
            else None,
            case_state=deadlines.label(deadlines.deadline_state(case.due_date, limit=limit)),
        )
        return context

    def handover_parties(self):
        return [flow.unit for flow in self.all_flows]

    def unbound_handover_form(self):
        user = self.request.user
        own = next((flow.unit for flow in self.all_flows if can_handle_flow(user, flow)), None)
        window = can_handle_at_window(user, self.case)
        if not (window or own):
            return None
        initial = {"from_side": "window" if window else forms.party_key("unit", own)}
        return forms.HandoverForm(parties=self.handover_parties(), initial=initial, prefix="h")

    # Actions

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action in FLOW_FORMS:
            return self.flow_action(action)
        handler = {
            "add_unit": self.add_unit,
            "handover": self.create_handover,
            "confirm": self.confirm_receipt,
            "supervise": self.supervise,
            "send_back": self.send_back,
        }.get(action)
        if handler is None:
            return HttpResponseBadRequest("未知操作")
        return handler()

    def done(self, message):
        messages.success(self.request, message)
        return redirect(reverse("handling:case", args=[self.case.pk]))

    def refused(self, key, form, error=None):
        self.bound[key] = form
        status = 403 if isinstance(error, ActionPermissionDenied) else 200
        messages.error(self.request, str(error) if error else "请检查填写的内容。")
        return self.render_to_response(self.get_context_data(), status=status)

    def flow_action(self, action):
        flow = next((f for f in self.visible_flows() if str(f.pk) == self.request.POST.get("flow")), None)
        if flow is None:
            raise Http404("没有找到该单位流转。")
        form_kwargs = {"promised_days": 0} if action == "accept" else {}
        form = FLOW_FORMS[action](self.request.POST, prefix=f"f{flow.pk}", **form_kwargs)
        if not form.is_valid():
            return self.refused((flow.pk, action), form)
        try:
            message = self.run_flow_action(action, flow, form.cleaned_data)
        except ActionError as error:
            return self.refused((flow.pk, action), form, error)
        return self.done(message)

    def run_flow_action(self, action, flow, data):
        user, version = self.request.user, data["version"]
        if action == "accept":
            handling.accept_flow(
                flow,
                user=user,
                version=version,
                accepted_on=data["accepted_on"],
                notice_no=data["notice_no"],
                promised_days=data["promised_days"],
            )
            return f"{flow.unit.name}已受理。"
        if action == "request_materials":
            handling.request_more_materials(flow, user=user, version=version, items=data["items"])
            return "已退回帮办代办窗口补充材料，窗口将一次性告知申请人。"
        if action == "resume":
            handling.resume_flow(flow, user=user, version=version)
            return "已恢复办理。"
        handling.complete_flow(
            flow, user=user, version=version, result_note=data["result_note"], completed_on=data["completed_on"]
        )
        return f"{flow.unit.name}已办结。"

    def send_back(self):
        flow = next((f for f in self.all_flows if str(f.pk) == self.request.POST.get("flow")), None)
        if flow is None:
            raise Http404("没有找到该单位流转。")
        form = forms.SendBackForm(self.request.POST, prefix=f"s{flow.pk}")
        if not form.is_valid():
            return self.refused((flow.pk, "send_back"), form)
        try:
            handling.send_back_results(
                self.case,
                flow,
                user=self.request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as error:
            return self.refused((flow.pk, "send_back"), form, error)
        return self.done(f"已将办理结果退回{flow.unit.name}补充完善，单位已收到通知。")

    def add_unit(self):
        form = forms.AddUnitForm(self.request.POST, case=self.case)
        if not form.is_valid():
            return self.refused("add_unit", form)
        try:
            handling.add_co_handling_unit(
                self.case, form.cleaned_data["unit"], user=self.request.user, version=form.cleaned_data["version"]
            )
        except ActionError as error:
            return self.refused("add_unit", form, error)
        return self.done(f"已增加协办单位：{form.cleaned_data['unit'].name}。")

    def create_handover(self):
        form = forms.HandoverForm(self.request.POST, parties=self.handover_parties(), prefix="h")
        if not form.is_valid():
            return self.refused("handover", form)
        (from_party, from_unit), (to_party, to_unit) = form.side("from_side"), form.side("to_side")
        flow = next((f for f in self.all_flows if f.unit in (from_unit, to_unit)), None)
        try:
            handover = handovers.create_handover(
                self.case,
                user=self.request.user,
                from_party=from_party,
                from_unit=from_unit,
                to_party=to_party,
                to_unit=to_unit,
                items=form.items(),
                flow=flow,
                is_result=form.cleaned_data["is_result"],
                handed_over_label=form.cleaned_data["handed_over_label"],
            )
        except ActionError as error:
            return self.refused("handover", form, error)
        return self.done(f"材料交接已登记（第{handover.pk}号），请接收方确认接收。")

    def confirm_receipt(self):
        form = forms.ConfirmReceiptForm(self.request.POST)
        if not form.is_valid():
            return self.refused("confirm", form)
        handover = get_object_or_404(Handover, pk=form.cleaned_data["handover"], case=self.case)
        try:
            handovers.confirm_receipt(
                handover, user=self.request.user, received_label=form.cleaned_data["received_label"]
            )
        except ActionError as error:
            return self.refused("confirm", form, error)
        return self.done("已确认接收。")

    def supervise(self):
        form = forms.SupervisionForm(self.request.POST)
        if not form.is_valid():
            return self.refused("supervise", form)
        try:
            handling.add_supervision_note(
                self.case,
                user=self.request.user,
                text=form.cleaned_data["text"],
                escalated=form.cleaned_data["escalated"],
            )
        except ActionError as error:
            return self.refused("supervise", form, error)
        return self.done("督办意见已记录，已通知在办单位。")


class RouteView(HandlingMixin, TemplateView):
    """转办: the window picks the route and the units of an accepted case."""

    template_name = "daiban/admin/handling/route.html"
    ROUTE_FORMS = {
        "single": forms.RouteSingleForm,
        "bundle": forms.RouteBundleForm,
        "task_force": forms.RouteTaskForceForm,
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

    def get_context_data(self, bound=None, **kwargs):
        context = super().get_context_data(**kwargs)
        initial = {"version": self.case.version}
        if self.case.matter_id:
            initial.update(unit=self.case.matter.unit_id, lead_unit=self.case.matter.unit_id)
        route_forms = {
            name: form_class(prefix=name, initial=initial, case=self.case)
            for name, form_class in self.ROUTE_FORMS.items()
        }
        route_forms.update(bound or {})
        context.update(case=self.case, forms=route_forms, can_route=self.case.status == CaseStatus.ACCEPTED)
        return context

    def post(self, request, *args, **kwargs):
        route = request.POST.get("route")
        if route not in self.ROUTE_FORMS:
            return HttpResponseBadRequest("未知办理路径")
        form = self.ROUTE_FORMS[route](request.POST, prefix=route, case=self.case)
        error = None
        if form.is_valid():
            try:
                self.route(route, form.cleaned_data)
            except ActionError as exc:
                error = exc
            else:
                messages.success(request, "已转办，相关单位已收到通知。")
                return redirect(reverse("handling:case", args=[self.case.pk]))
        messages.error(request, str(error) if error else "请检查填写的内容。")
        return self.render_to_response(self.get_context_data(bound={route: form}))

    def route(self, route, data):
        user, version, note = self.request.user, data["version"], data["note"]
        if route == "single":
            return handling.route_single(self.case, data["unit"], user=user, version=version, note=note)
        if route == "bundle":
            return handling.route_bundle(
                self.case, data["lead_unit"], data["co_units"], user=user, version=version, note=note
            )
        members = [(liaison, "") for liaison in data["members"]]
        return handling.route_task_force(
            self.case,
            data["coordinator"],
            members,
            user=user,
            version=version,
            lead_unit=data["lead_unit"],
            note=note,
        )


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
            phone=mask_phone(case.contact_phone),
        )
        return context


urlpatterns = [
    path("", QueueView.as_view(), name="queue"),
    path("cases/<int:pk>/", CaseHandlingView.as_view(), name="case"),
    path("cases/<int:pk>/route/", RouteView.as_view(), name="route"),
    path("cases/<int:case_pk>/handovers/<int:pk>/print/", HandoverPrintView.as_view(), name="handover_print"),
]
