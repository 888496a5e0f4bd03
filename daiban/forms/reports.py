"""Forms of the statistics pages: the period and region filter, confirmation, the ledger upload."""

import datetime

from django import forms
from django.utils import timezone

from ..models import Region, Unit
from ..statistics import Period
from .base import ActionForm

MAX_UPLOAD = 10 * 1024 * 1024


def default_month():
    """The month to report: the previous calendar month."""
    first = timezone.localdate().replace(day=1)
    return Period.containing(first - datetime.timedelta(days=1))


class PeriodForm(forms.Form):
    """A calendar month, or any period from–to; within the regions the person may see."""

    region = forms.ModelChoiceField(label="区域", queryset=Region.objects.none(), required=False, empty_label=None)
    month = forms.CharField(
        label="月份", required=False, widget=forms.TextInput(attrs={"type": "month"}), help_text="例如 2026-10"
    )
    start = forms.DateField(label="自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                raise forms.ValidationError("按期间统计时请同时填写开始和结束日期。")
            if end < start:
                raise forms.ValidationError("结束日期不能早于开始日期。")
            data["period"] = Period(start, end)
        elif data.get("month"):
            try:
                data["period"] = Period.parse_month(data["month"])
            except ValueError as exc:
                self.add_error("month", str(exc))
        else:
            data["period"] = default_month()
        return data


class ConfirmReportForm(ActionForm):
    """A unit's month (the page's month) confirmed; the version is the number of confirmations seen."""

    note = forms.CharField(
        label="更正说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="已确认过的月份再次确认时必填，说明更正的原因。",
    )


class LedgerUploadForm(forms.Form):
    unit = forms.ModelChoiceField(label="台账所属窗口单位", queryset=Unit.objects.none())
    file = forms.FileField(label="台账文件（.xlsx）", help_text="按附件4格式填写的帮办代办工作登记台账，不超过10MB。")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件超过10MB。")
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError("文件内容不是 Excel（.xlsx）工作簿。")
        return upload


class LedgerExportForm(forms.Form):
    unit = forms.ModelChoiceField(label="受理单位", queryset=Unit.objects.none(), required=False, empty_label="全部")
    start = forms.DateField(label="受理日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("结束日期不能早于开始日期。")
        return data
