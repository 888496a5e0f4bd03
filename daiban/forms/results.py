"""Forms of the end of the flow: result delivery, evaluation, follow-up, archive, online evaluation.

Every form that changes a case carries the version the person saw.
"""

from django import forms
from django.utils import timezone

from ..models import EvaluationMethod, Satisfaction
from .base import ActionForm

# A refused online evaluation is kept here (what was typed and why) until the progress page shows it again.
EVALUATION_DRAFT_KEY = "daiban_evaluation_draft"


class PickupForm(ActionForm):
    collected_by = forms.CharField(label="领取人", max_length=50)
    identity_checked = forms.BooleanField(
        label="已核验领取人身份证件", required=False, help_text="领取人本人或受托人须出示有效身份证件。"
    )
    result_note = forms.CharField(label="反馈材料名称及份数", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CourierForm(ActionForm):
    courier_company = forms.CharField(label="快递公司", max_length=50)
    tracking_number = forms.CharField(label="快递单号", max_length=50)
    result_note = forms.CharField(label="反馈材料名称及份数", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StaffEvaluationForm(ActionForm):
    method = forms.ChoiceField(
        label="评价方式",
        choices=[(EvaluationMethod.PHONE, "电话回访"), (EvaluationMethod.ON_SITE, "现场评价")],
        widget=forms.RadioSelect,
    )
    level = forms.ChoiceField(label="评价情况", choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="意见建议", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evaluated_at = forms.DateTimeField(
        label="回访时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("evaluated_at", timezone.localtime().replace(second=0))
        super().__init__(*args, **kwargs)


class OnlineEvaluationForm(ActionForm):
    level = forms.ChoiceField(
        label="您对本次帮办代办服务的评价",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评价等级。", "invalid_choice": "请选择评价等级。"},
    )
    comment = forms.CharField(
        label="意见建议（选填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpCheckForm(ActionForm):
    finding = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 3}))
    rectification = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    rectify_by = forms.DateField(label="整改期限", widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpCallBackForm(ActionForm):
    callback_note = forms.CharField(label="回访情况", widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(ActionForm):
    """An action without input: notify, archive, close a follow-up."""
