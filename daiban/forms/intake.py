"""Forms of intake and screening: the public 附件5 request, window registration and the screening actions.

Text is stored as typed (markup included) and escaped when shown. Forms never change a status:
views hand their cleaned data to daiban.services.intake.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.functional import cached_property

from ..ids import parse_pk
from ..matter_picker import clean_query, find_matters, offered_matters, picker_option
from ..models import (
    Case,
    Channel,
    Delivery,
    MaterialForm,
    ServiceCentre,
    ServiceForm,
    SpecialGroup,
    Unit,
)
from ..permissions import can_register_at, registration_centres
from ..roles import UNIT_STAFF, WINDOW_STAFF, Scope, has_role
from ..services.intake import CASE_FIELDS, WINDOW_CHANNELS
from .base import ActionForm
from .uploads import (
    MAX_UPLOAD_FILES,
    MAX_UPLOAD_SIZE,
    UploadsField,
    keep_upload,
    kept_uploads,
    open_kept,
    sign_kept,
)

__all__ = [
    "ApplyForm",
    "WindowRegistrationForm",
    "MaterialFormSet",
    "DeferredFormSet",
    "RejectForm",
    "NoticeForm",
    "SupplementForm",
    "AcceptForm",
    "WithdrawForm",
    "ReceiveDeferredForm",
    "ProgressQueryForm",
    "PublicWithdrawForm",
    "CorrectionForm",
    "MAX_CORRECTION_FILES",
    "error_summary",
]

MAX_UPLOAD_MB = MAX_UPLOAD_SIZE // 1024 // 1024
FIND_MATTER = "find_matter"  # the name of the picker's 查找事项 button
PHONE_RE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
PHONE_MESSAGE = "请填写正确的手机号码（11位数字）或固定电话（如 0832-1234567）。"
phone_validator = RegexValidator(PHONE_RE, PHONE_MESSAGE)
MOBILE_RE = r"^1[3-9]\d{9}$"
MOBILE_MESSAGE = "请填写11位手机号码（如 13800001234）：办理进度以短信发到这个号码，固定电话收不到短信。"
mobile_validator = RegexValidator(MOBILE_RE, MOBILE_MESSAGE)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalise_phone(value):
    return re.sub(r"[\s()（）]", "", value or "").replace("—", "-")


def validate_id_number(value):
    """An 18-character 居民身份证号码 with a correct check digit."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise ValidationError("身份证件号码应为18位（最后一位可以是X）。")
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != value[-1]:
        raise ValidationError("身份证件号码校验位不正确，请核对。")


def error_summary(*forms_and_formsets):
    """[(anchor id, label, message)] for the summary at the top of a form page."""
    summary = []
    for item in forms_and_formsets:
        for form in getattr(item, "forms", [item]):
            summary.extend(_form_errors(form))
        if hasattr(item, "non_form_errors"):
            summary.extend(("", "", message) for message in item.non_form_errors())
    return summary


def _form_errors(form):
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            yield from (("", "", message) for message in errors)
            continue
        bound = form[name]
        yield from ((bound.auto_id, bound.label, message) for message in errors)


def plain_required_messages(form):
    """Plain messages for required fields: 请填写联系电话。 instead of Django's generic 必需字段."""
    generic = str(forms.Field.default_error_messages["required"])
    for field in form.fields.values():
        if str(field.error_messages.get("required", "")) == generic:
            verb = "选择" if isinstance(field.widget, forms.widgets.ChoiceWidget) else "填写"
            field.error_messages["required"] = f"请{verb}{field.label}。"


# The 附件5 request -------------------------------------------------------------------------------


MATTER_HELP = (
    "输入事项名称中的几个字（如“公积金”“养老”），点“查找事项”，再从找到的事项中选择。"
    "清单中没有您要办的事项时可不选，在下方填写事项名称。"
)
NO_MATTER_LABEL = "不从清单中选择（清单中没有，在下方填写事项名称）"


class CaseDetailsForm(forms.ModelForm):
    """The fields of 附件5 shared by the public form and window registration."""

    is_company = forms.TypedChoiceField(
        label="申请人类型",
        choices=(("0", "个人（群众）"), ("1", "企业或其他组织")),
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    # The matter picker (daiban.matter_picker): the chosen matter's id, and what was typed to find it.
    matter = forms.CharField(label="从清单中选择事项", required=False, help_text=MATTER_HELP)
    matter_q = forms.CharField(label="查找事项", required=False)

    class Meta:
        model = Case
        fields = list(CASE_FIELDS)
        labels = {
            "applicant_name": "企业名称或群众姓名",
            "matter_text": "事项名称",
            "units_text": "涉及部门",
            "centre": "办理的服务中心",
            "visit_address": "上门服务地址",
            "visit_time": "希望上门的时间",
        }
        help_texts = {
            "contact_phone": "手机号码或固定电话，用于接收办理进度短信和查询进度。",
            "id_number": "选填。仅用于核验身份，页面上会隐去部分号码。",
            "email": "选填。填写后我们也会通过邮件通知您。",
            "matter_text": "清单中没有您要办的事项时，请填写事项名称。",
            "units_text": "选填。知道涉及哪些部门（单位）时可以填写。",
            "description": "选填。简要说明您需要什么帮助。",
            "special_group": "老年人、残疾人、现役退役军人可优先办理。",
            "visit_address": "选择上门服务时必填：工作人员上门的详细地址，如：资中县水南镇某某村3组12号。",
            "visit_time": "选择上门服务时必填：您方便的日期和时段，如：工作日上午、12月8日下午。",
            "centre": "选择您方便前往、或希望为您办理的服务中心。",
        }
        widgets = {
            "service_form": forms.RadioSelect,
            "delivery": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "recipient_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "applicant_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "recipient_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "visit_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter_q"].widget.attrs.update({"type": "search", "autocomplete": "off", "enterkeyhint": "search"})
        self.fields["matter_text"].required = False
        self.fields["service_form"].choices = ServiceForm.choices
        self.fields["delivery"].choices = Delivery.choices
        self.fields["special_group"].choices = [("", "不适用")] + SpecialGroup.choices
        self.fields["special_group"].label = "绿色通道"
        self.fields["centre"].queryset = ServiceCentre.objects.select_related("region")
        self.fields["centre"].empty_label = "请选择服务中心"
        self.fields["contact_phone"].validators.append(phone_validator)
        plain_required_messages(self)

    @property
    def finding(self):
        """The person pressed 查找事项: the form is shown again with the matches, nothing is checked or saved."""
        return self.is_bound and FIND_MATTER in self.data

    def full_clean(self):
        if self.finding:
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def is_valid(self):
        return not self.finding and super().is_valid()

    @cached_property
    def matter_picker(self):
        """What the picker shows: the chosen matter (full label) and the matches of what was typed."""
        chosen = picker_option(self["matter"].value())
        query = clean_query(self["matter_q"].value())
        found = find_matters(query, exclude=[chosen.pk] if chosen else []) if query else None
        return {"chosen": chosen, "query": query, "found": found, "no_matter_label": NO_MATTER_LABEL}

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_recipient_phone(self):
        phone = normalise_phone(self.cleaned_data.get("recipient_phone"))
        if phone:
            phone_validator(phone)
        return phone

    def clean_id_number(self):
        number = self.cleaned_data.get("id_number", "").strip().upper()
        if number:
            validate_id_number(number)
        return number

    def clean_matter(self):
        value = self.cleaned_data.get("matter")
        if not value:
            return None
        pk = parse_pk(value)
        matter = offered_matters().filter(pk=pk).select_related("unit").first() if pk is not None else None
        if matter is None:
            raise ValidationError("所选事项不存在或已下线，请重新选择。")
        return matter

    def clean(self):
        data = super().clean()
        if not data.get("matter") and not data.get("matter_text", "").strip():
            self.add_error("matter_text", "请从清单中选择事项，或填写事项名称。")
        if data.get("service_form") == ServiceForm.OTHER and not data.get("service_form_other", "").strip():
            self.add_error("service_form_other", "选择“其他”形式时，请说明需要的帮助。")
        if data.get("service_form") == ServiceForm.HOME_VISIT:
            for name in ("visit_address", "visit_time"):
                if not data.get(name, "").strip() and name not in self.errors:
                    self.add_error(name, f"选择上门服务时，请填写{self.fields[name].label}。")
        if data.get("delivery") == Delivery.COURIER:
            for name in ("recipient_name", "recipient_phone", "recipient_address"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"选择快递邮寄时，请填写{self.fields[name].label}。")
        return data

    def details(self):
        """Cleaned values for daiban.services.intake (CASE_FIELDS)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class KeptChoiceField(forms.MultipleChoiceField):
    """Ticks of the kept files; an id no longer kept (expired, forged) is ignored, not an error."""

    def valid_value(self, value):
        return True


class ApplyForm(CaseDetailsForm):
    """The public /apply/ form."""

    files = UploadsField(
        label="上传材料（选填）",
        help_text=f"可上传 PDF、JPG、PNG 文件，最多 {MAX_UPLOAD_FILES} 个，每个不超过 {MAX_UPLOAD_MB} MB。",
    )
    consent = forms.BooleanField(
        label="我同意帮办代办窗口为办理本次申请收集和使用上述个人信息",
        error_messages={"required": "请阅读并同意个人信息处理说明后再提交。"},
    )
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(label="请勿填写此项", required=False)
    # Files chosen on an earlier, rejected try, kept on the server (daiban.forms.uploads.keep).
    kept_files = forms.CharField(required=False, widget=forms.HiddenInput)
    keep = KeptChoiceField(
        label="已保留的文件", required=False, widget=forms.CheckboxSelectMultiple, help_text="取消勾选即不提交该文件。"
    )

    def __init__(self, *args, matter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Online, every notice goes by SMS to the contact phone: a mobile number only.
        self.fields["contact_phone"].help_text = "11位手机号码，用于接收办理进度短信和查询进度。"
        self.fields["contact_phone"].validators = []  # checked once spaces and dashes are taken out
        self.kept = kept_uploads(self.data.get("kept_files", "")) if self.is_bound else []
        self.fields["keep"].choices = [(entry["id"], entry["name"]) for entry in self.kept]
        if matter is not None and not self.is_bound:
            self.initial.update(matter=str(matter.pk), centre=_centre_for(matter))

    @property
    def is_spam(self):
        return bool(self.data.get("website"))

    def clean_contact_phone(self):
        phone = super().clean_contact_phone()
        mobile_validator(phone.replace("-", ""))
        return phone.replace("-", "")

    def kept_chosen(self):
        chosen = set(self.cleaned_data.get("keep") or [])
        return [entry for entry in self.kept if entry["id"] in chosen]

    def clean(self):
        data = super().clean()
        if "files" in data and len(data["files"]) + len(self.kept_chosen()) > MAX_UPLOAD_FILES:
            self.add_error("files", f"最多上传 {MAX_UPLOAD_FILES} 个文件（含已保留的文件）。")
        return data

    def all_files(self):
        """The files to store with the case: the new ones and the kept ones still ticked."""
        return [*self.cleaned_data["files"], *open_kept(self.kept_chosen())]

    def kept_again(self):
        """After a rejected try: a token for the kept files still ticked plus the new files that passed the checks.

        Returns (token, entries) for the form shown again, so nothing the applicant chose has to be chosen again.
        """
        chosen = set(self.data.getlist("keep")) if hasattr(self.data, "getlist") else set()
        entries = [entry for entry in self.kept if entry["id"] in chosen]
        field = self.fields["files"]
        for upload in self.files.getlist("files") if hasattr(self.files, "getlist") else []:
            try:
                field._check(upload)
            except ValidationError:
                continue
            if len(entries) < MAX_UPLOAD_FILES:
                entries.append(keep_upload(upload))
        return sign_kept(entries), entries


def _centre_for(matter):
    """The government service centre where the matter's unit is stationed, if any."""
    centre = matter.unit.centres.order_by("level", "pk").first()
    return centre.pk if centre else None


class WindowRegistrationForm(CaseDetailsForm):
    """Window staff register a walk-in, phone or home-visit request at their centre."""

    channel = forms.ChoiceField(
        label="申请渠道",
        choices=[(c.value, c.label) for c in WINDOW_CHANNELS],
        initial=Channel.WINDOW,
        widget=forms.RadioSelect,
    )
    files = UploadsField(label="扫描件（选填）", help_text=f"PDF、JPG、PNG，最多 {MAX_UPLOAD_FILES} 个，每个 ≤10 MB。")
    consent = forms.BooleanField(
        label="已告知申请人个人信息的用途，申请人同意",
        error_messages={"required": "请先向申请人说明个人信息的用途并取得同意。"},
    )

    department = forms.ModelChoiceField(
        label="受理窗口",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="服务中心帮办代办窗口",
        help_text="部门帮办代办员在本部门进驻窗口收到的申请，由该部门受理并计入该部门统计。",
    )

    field_order = ["channel", "centre", "department"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = Scope.for_user(user)
        centres = registration_centres(user)
        self.fields["centre"].queryset = centres.select_related("region")
        at_centre_window = scope.sees_all or (has_role(user, WINDOW_STAFF) and scope.centre is not None)
        if scope.sees_all:
            self.fields["department"].queryset = Unit.objects.filter(is_active=True, centres__isnull=False).distinct()
        elif has_role(user, UNIT_STAFF) and scope.unit is not None and centres.filter(units=scope.unit).exists():
            self.fields["department"].queryset = Unit.objects.filter(pk=scope.unit.pk)
            self.fields["department"].required = not at_centre_window
            self.fields["department"].initial = None if at_centre_window else scope.unit.pk
        else:
            del self.fields["department"]
        if scope.centre is not None and at_centre_window:
            self.fields["centre"].initial = scope.centre.pk
        elif len(centres) == 1:
            self.fields["centre"].initial = centres[0].pk
        self.fields["applicant_name"].help_text = ""

    def clean(self):
        data = super().clean()
        centre, department = data.get("centre"), data.get("department")
        if centre is not None and not can_register_at(self.user, centre, department):
            if department is not None and not department.centres.filter(pk=centre.pk).exists():
                self.add_error("department", f"{department.name}未进驻{centre.name}，请选择其进驻的服务中心。")
            else:
                self.add_error("centre", "您只能登记本服务中心帮办代办窗口或本部门进驻窗口收到的申请。")
        return data


class MaterialRowForm(forms.Form):
    """申请材料明细及份数: one row; a row without a name is ignored."""

    name = forms.CharField(label="材料名称", max_length=200, required=False)
    copies = forms.IntegerField(label="份数", min_value=1, max_value=99, initial=1, required=False)
    form = forms.ChoiceField(label="原件/复印件", choices=MaterialForm.choices, initial=MaterialForm.ORIGINAL)

    def has_changed(self):
        return bool(self.data.get(self.add_prefix("name"), "").strip())


class BaseMaterialFormSet(forms.BaseFormSet):
    def materials(self):
        return [
            {
                "name": f.cleaned_data["name"].strip(),
                "copies": f.cleaned_data.get("copies") or 1,
                "form": f.cleaned_data["form"],
            }
            for f in self.forms
            if f.cleaned_data.get("name", "").strip()
        ]


MaterialFormSet = forms.formset_factory(
    MaterialRowForm, formset=BaseMaterialFormSet, extra=4, max_num=20, validate_max=True
)


# Screening actions -------------------------------------------------------------------------------


class RejectForm(ActionForm):
    reason = forms.CharField(
        label="不予受理原因", widget=forms.Textarea(attrs={"rows": 3}), help_text="将以短信告知申请人。"
    )
    redirect_unit = forms.CharField(label="告知申请人办理单位", max_length=200, help_text="申请人应前往申请的单位。")


PROBLEMS = [("", "齐全"), ("missing", "缺少"), ("wrong", "不符合要求")]


class NoticeForm(ActionForm):
    """一次性告知: the matter's 申请材料 with a problem each, plus free items."""

    extra_items = forms.CharField(
        label="其他需补正的材料或事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项；可写成“名称：补正要求”。",
    )
    note = forms.CharField(label="其他说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = list(case.matter.materials.all()) if case.matter_id else []
        for material in self.catalogue:
            self.fields[f"problem_{material.pk}"] = forms.ChoiceField(
                label=material.name, choices=PROBLEMS, required=False
            )
            self.fields[f"requirement_{material.pk}"] = forms.CharField(
                label=f"{material.name}的补正要求", max_length=300, required=False
            )

    def material_rows(self):
        return [(m, self[f"problem_{m.pk}"], self[f"requirement_{m.pk}"]) for m in self.catalogue]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.items():
            raise ValidationError("请至少勾选或填写一项需补正的材料。")
        return data

    def items(self):
        data = self.cleaned_data
        items = [
            {
                "name": m.name,
                "problem": data.get(f"problem_{m.pk}"),
                "requirement": data.get(f"requirement_{m.pk}", ""),
                "catalogue_material": m,
            }
            for m in self.catalogue
            if data.get(f"problem_{m.pk}")
        ]
        return items + list(_free_items(data.get("extra_items", "")))

    def action_params(self):
        return {"items": self.items(), "note": self.cleaned_data["note"]}


def _free_items(text):
    """'名称：要求' lines typed by staff."""
    for line in text.splitlines():
        name, *requirement = re.split(r"[:：]", line, maxsplit=1)
        if name.strip():
            yield {"name": name.strip(), "problem": "missing", "requirement": "".join(requirement).strip()}


class SupplementForm(ActionForm):
    note = forms.CharField(
        label="补正情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：已补交户口簿复印件1份。",
    )
    files = UploadsField(label="补正材料扫描件（选填）")


class AcceptForm(ActionForm):
    window_opinion = forms.CharField(
        label="帮办代办窗口意见",
        initial="符合办理条件，予以受理。",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="打印在申请表上。",
    )


class DeferredRowForm(forms.Form):
    name = forms.CharField(label="容缺材料", max_length=200, required=False)
    due_date = forms.DateField(label="补交期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("name", "").strip() and not data.get("due_date"):
            self.add_error("due_date", "请填写容缺材料的补交期限。")
        if data.get("due_date") and data["due_date"] < timezone.localdate():
            self.add_error("due_date", "补交期限不能早于今天。")
        return data


class BaseDeferredFormSet(forms.BaseFormSet):
    def deferred(self):
        return [
            (f.cleaned_data["name"].strip(), f.cleaned_data["due_date"])
            for f in self.forms
            if f.cleaned_data.get("name", "").strip()
        ]


DeferredFormSet = forms.formset_factory(DeferredRowForm, formset=BaseDeferredFormSet, extra=3, max_num=10)


class WithdrawForm(ActionForm):
    reason = forms.CharField(label="撤回说明", max_length=300, help_text="如：申请人来电要求撤回。")


class ReceiveDeferredForm(ActionForm):
    material_id = forms.IntegerField(widget=forms.HiddenInput)


class WaiveDeferredForm(ActionForm):
    material_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="免于补交原因", max_length=300)


# Public progress ---------------------------------------------------------------------------------


class ProgressQueryForm(forms.Form):
    number = forms.CharField(
        label="办件编号",
        max_length=20,
        help_text="回执上的编号，如 BD202601050001。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    secret = forms.CharField(
        label="联系电话或查询码",
        max_length=20,
        help_text="申请时填写的联系电话，或回执上的6位查询码。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_required_messages(self)

    def clean_number(self):
        return re.sub(r"\s", "", self.cleaned_data["number"]).upper()

    def clean_secret(self):
        return normalise_phone(self.cleaned_data["secret"])


class PublicWithdrawForm(ActionForm):
    confirm = forms.BooleanField(
        label="我确认撤回本次帮办代办申请", error_messages={"required": "请勾选确认后再撤回。"}
    )
    reason = forms.CharField(label="撤回原因（选填）", max_length=300, required=False)


# Both at most MAX_UPLOAD_FILES per item (as on /apply/) and this many in all.
MAX_CORRECTION_FILES = 2 * MAX_UPLOAD_FILES


class CorrectionForm(ActionForm):
    """The applicant's corrections on /progress/: files for each item of the open 一次性告知."""

    note = forms.CharField(
        label="补充说明（选填）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如：身份证已换成有效期内的新证。",
    )

    def __init__(self, *args, notice, **kwargs):
        kwargs.setdefault("auto_id", "correction_%s")  # the withdrawal form on the same page has id_version too
        super().__init__(*args, **kwargs)
        self.items = list(notice.items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = UploadsField(
                label=f"上传“{item.name}”",
                help_text=f"PDF、JPG、PNG 文件，最多 {MAX_UPLOAD_FILES} 个，每个不超过 {MAX_UPLOAD_MB} MB；"
                "可用手机拍照。",
            )
        self.order_fields([f"item_{item.pk}" for item in self.items] + ["note"])

    def item_rows(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        count = sum(len(data.get(f"item_{item.pk}") or []) for item in self.items)
        if not count:
            raise ValidationError("请至少为一项需补正的材料选择文件后再提交。")
        if count > MAX_CORRECTION_FILES:
            raise ValidationError(f"一次最多提交 {MAX_CORRECTION_FILES} 个文件，请分两次提交或合并成 PDF。")
        return data

    def action_params(self):
        files = [(item.name, self.cleaned_data.get(f"item_{item.pk}") or []) for item in self.items]
        return {"files": files, "note": self.cleaned_data["note"]}
