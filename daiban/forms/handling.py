"""Forms of linked handling: routing, a unit's flow actions, handovers (附件6) and 督办.

Every form that changes a case or a flow carries the version the person saw.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from ..assignment import can_log_in, receiver_note, with_receivers
from ..models import HandoverParty, Liaison, Unit
from ..services.handling import MAX_PROMISED_DAYS
from .base import ActionForm

ITEM_ROWS = 6


def active_units():
    return Unit.objects.filter(is_active=True).select_related("region")


def grouped_by_place(case, objects, unit_of):
    """Choices grouped for a case: units stationed at its centre, its own region, the regions above, the rest.

    `objects` are units or liaisons, `unit_of` gives each one's unit. Groups keep the objects' order.
    """
    stationed = set(case.centre.units.values_list("pk", flat=True))
    here = case.region
    groups = {}
    for obj in objects:
        unit = unit_of(obj)
        groups.setdefault(_place(unit, stationed, here, case), []).append((obj.pk, _label(obj)))
    return [(label, choices) for (_rank, label), choices in sorted(groups.items(), key=lambda item: item[0][0])]


def _place(unit, stationed, here, case):
    """(sort key, group label) of a unit for a case accepted in region `here`."""
    region = unit.region
    if unit.pk in stationed:
        return (0, ""), f"{case.centre.name}进驻单位"
    if region.path.startswith(here.path):
        return (1, ""), f"{here.name}（本区域）单位"
    if here.path.startswith(region.path):
        return (2, -region.depth, region.path), f"{region.name}单位"
    return (3, region.path), f"{region.name}单位"


def _label(obj):
    """A liaison with their unit and post; a unit with who will receive its flow (see daiban.assignment)."""
    if isinstance(obj, Liaison):
        login = "" if can_log_in(obj) else "，无登录账号"
        return f"{obj.name}（{obj.unit.name}，{obj.get_post_display()}{login}）"
    return f"{obj.name}（{receiver_note(obj)}）"


def group_units(field, case):
    """Grouped choices; each unit's receiver read from one prefetch of the units' liaisons and accounts."""
    units = with_receivers(field.queryset.order_by("region__path", "name"))
    choices = grouped_by_place(case, units, lambda unit: unit)
    if isinstance(field, forms.ModelMultipleChoiceField):
        field.choices = choices
    else:
        field.choices = [("", "请选择单位"), *choices]


class CaseUnitsMixin:
    """Unit pickers of a route form list the case's own centre and region first, grouped by region."""

    unit_fields = ()

    def group_for(self, case):
        if case is None:
            return
        for name in self.unit_fields:
            group_units(self.fields[name], case)


class RouteSingleForm(CaseUnitsMixin, ActionForm):
    unit = forms.ModelChoiceField(label="办理单位", queryset=Unit.objects.none())
    note = forms.CharField(label="转办说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit_fields = ("unit",)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units()
        self.group_for(case)


class RouteBundleForm(CaseUnitsMixin, ActionForm):
    lead_unit = forms.ModelChoiceField(label="牵头单位", queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="也可由牵头单位联络员在办理中增加。",
    )
    note = forms.CharField(label="转办说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit_fields = ("lead_unit", "co_units")

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = active_units()
        self.fields["co_units"].queryset = active_units()
        self.group_for(case)


class RouteTaskForceForm(CaseUnitsMixin, ActionForm):
    coordinator = forms.ModelChoiceField(label="专班负责人", queryset=get_user_model().objects.none())
    members = forms.ModelMultipleChoiceField(
        label="专班成员",
        queryset=Liaison.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="各成员所在单位均建立单位流转。",
    )
    lead_unit = forms.ModelChoiceField(
        label="牵头单位", queryset=Unit.objects.none(), required=False, help_text="可选：最后汇总办理结果的单位。"
    )
    note = forms.CharField(label="分工与办理方式", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit_fields = ("lead_unit",)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
        self.fields["coordinator"].queryset = users.order_by("username")
        self.fields["coordinator"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.fields["members"].queryset = Liaison.objects.filter(
            is_active=True, unit__isnull=False, unit__is_active=True
        ).select_related("unit__region", "user")
        self.fields["lead_unit"].queryset = active_units()
        self.group_for(case)
        if case is not None:
            members = self.fields["members"].queryset.order_by("unit__region__path", "unit__name", "post", "name")
            self.fields["members"].choices = grouped_by_place(case, members, lambda liaison: liaison.unit)

    def action_params(self):
        params = super().action_params()
        params["members"] = [(liaison, "") for liaison in params["members"]]
        return params


class AcceptFlowForm(ActionForm):
    accepted_on = forms.DateField(label="受理日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    promised_days = forms.IntegerField(
        label="承诺时限（工作日）", min_value=0, max_value=MAX_PROMISED_DAYS, help_text="0 表示即办。"
    )
    notice_no = forms.CharField(label="受理通知书编号", max_length=60, required=False, help_text="承诺件必填。")

    def __init__(self, *args, promised_days=0, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("accepted_on", timezone.localdate())
        kwargs["initial"].setdefault("promised_days", promised_days)
        super().__init__(*args, **kwargs)


class RequestMaterialsForm(ActionForm):
    items = forms.CharField(
        label="需补充的材料及要求",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="一次写全，窗口据此一次性告知申请人。",
    )


class CompleteFlowForm(ActionForm):
    completed_on = forms.DateField(label="办结日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    result_note = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class SendBackForm(ActionForm):
    """The window returns an incomplete result to the unit (version: the case's)."""

    reason = forms.CharField(
        label="需补充完善的内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="一次写全缺少或不符合要求的结果材料，单位补齐后重新办结。",
    )


class AddUnitForm(ActionForm):
    unit = forms.ModelChoiceField(label="协办单位", queryset=Unit.objects.none())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = active_units().exclude(flows__case=case)
        group_units(self.fields["unit"], case)


def party_key(party, unit=None):
    return f"unit:{unit.pk}" if party == HandoverParty.UNIT else party


class HandoverForm(ActionForm):
    """附件6: who hands over to whom, and up to six items with their copies."""

    from_side = forms.ChoiceField(label="移交方")
    to_side = forms.ChoiceField(label="接收方")
    handed_over_label = forms.CharField(label="移交人姓名", max_length=50, required=False, help_text="默认为本人。")
    is_result = forms.BooleanField(label="办理结果材料", required=False)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {f"unit:{unit.pk}": unit for unit in parties if isinstance(unit, Unit)}
        choices = [(HandoverParty.WINDOW.value, "帮办代办窗口"), (HandoverParty.APPLICANT.value, "申请人")]
        choices += [(key, unit.name) for key, unit in self.units.items()]
        self.fields["from_side"].choices = choices
        self.fields["to_side"].choices = choices
        for row in range(ITEM_ROWS):
            self.fields[f"item_{row}"] = forms.CharField(label=f"材料{row + 1}", max_length=200, required=False)
            self.fields[f"copies_{row}"] = forms.IntegerField(
                label=f"材料{row + 1}份数", min_value=1, max_value=999, required=False
            )

    def item_rows(self):
        return [(self[f"item_{row}"], self[f"copies_{row}"]) for row in range(ITEM_ROWS)]

    def side(self, name):
        key = self.cleaned_data[name]
        if key in self.units:
            return HandoverParty.UNIT, self.units[key]
        return key, None

    def items(self):
        data = self.cleaned_data
        return [
            (data[f"item_{row}"], data[f"copies_{row}"] or 1) for row in range(ITEM_ROWS) if data.get(f"item_{row}")
        ]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"item_{row}") for row in range(ITEM_ROWS)):
            raise forms.ValidationError("请至少填写一项材料。")
        return cleaned

    def action_params(self):
        (from_party, from_unit), (to_party, to_unit) = self.side("from_side"), self.side("to_side")
        return {
            "from_party": from_party,
            "from_unit": from_unit,
            "to_party": to_party,
            "to_unit": to_unit,
            "items": self.items(),
            "is_result": self.cleaned_data["is_result"],
            "handed_over_label": self.cleaned_data["handed_over_label"],
        }


class ConfirmReceiptForm(ActionForm):
    handover = forms.IntegerField(widget=forms.HiddenInput)
    received_label = forms.CharField(
        label="接收人姓名", max_length=50, required=False, help_text="申请人领取时填写申请人姓名；默认为本人。"
    )

    def action_params(self):
        return {"received_label": self.cleaned_data["received_label"]}


class SupervisionForm(ActionForm):
    text = forms.CharField(label="督办意见", widget=forms.Textarea(attrs={"rows": 3}))
    escalated = forms.BooleanField(label="提级督办", required=False)
