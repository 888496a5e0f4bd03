"""The case (办件) and everything that happens to it.

Status fields are changed only by daiban.services; models hold data, not rules.
"""

from django.conf import settings
from django.db import models

from .catalogue import MaterialForm, MatterMaterial, MatterPage
from .org import Liaison, Region, ServiceCentre, Unit

__all__ = [
    "CaseStatus",
    "Channel",
    "ServiceForm",
    "Delivery",
    "SpecialGroup",
    "Route",
    "Case",
    "CaseNumberSequence",
    "CaseMaterial",
    "CaseAttachment",
    "CaseEvent",
    "OneTimeNotice",
    "NoticeItem",
    "DeferredMaterial",
    "UnitFlow",
    "FlowStatus",
    "OPEN_FLOW_STATUSES",
    "TaskForceMember",
    "Handover",
    "HandoverItem",
    "HandoverParty",
    "SupervisionNote",
    "Evaluation",
    "Satisfaction",
    "EvaluationMethod",
    "FollowUp",
    "FollowUpStatus",
]

User = settings.AUTH_USER_MODEL


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待甄别"
    PENDING_SUPPLEMENT = "pending_supplement", "待补正"
    REJECTED = "rejected", "不予受理"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "联动办理中"
    RESULTS_RETURNED = "results_returned", "结果已返回窗口"
    COMPLETED = "completed", "已办结"
    ARCHIVED = "archived", "已归档"
    WITHDRAWN = "withdrawn", "已撤回"


class Channel(models.TextChoices):
    WINDOW = "window", "窗口"
    ONLINE = "online", "网上申请"
    PHONE = "phone", "电话"
    HOME_VISIT = "home_visit", "上门服务"


class ServiceForm(models.TextChoices):
    ASSIST = "assist", "帮办"
    PROXY = "proxy", "代办"
    HOME_VISIT = "home_visit", "上门服务"
    OTHER = "other", "其他"


class Delivery(models.TextChoices):
    PICKUP = "pickup", "自行领取"
    COURIER = "courier", "快递邮寄"


class SpecialGroup(models.TextChoices):
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    MILITARY = "military", "现役退役军人"


class Route(models.TextChoices):
    SINGLE = "single", "单部门事项"
    BUNDLE = "bundle", "一件事一次办"
    TASK_FORCE = "task_force", "跨层级、复杂事项（专班）"


class CaseNumberSequence(models.Model):
    """One row per day; incremented under a row lock to number cases."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


class Case(models.Model):
    number = models.CharField("办件编号", max_length=20, unique=True)
    query_code = models.CharField("查询码", max_length=8)
    channel = models.CharField("申请渠道", max_length=12, choices=Channel.choices, default=Channel.WINDOW)
    status = models.CharField("状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)

    applicant_name = models.CharField("企业名称或群众姓名", max_length=120)
    is_company = models.BooleanField("企业申请", default=False)
    contact_name = models.CharField("联系人员", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20, db_index=True)
    id_number = models.CharField("身份证件号码", max_length=30, blank=True)
    email = models.EmailField("电子邮箱", blank=True)

    matter = models.ForeignKey(
        MatterPage, verbose_name="帮办代办事项", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    matter_text = models.CharField("帮办代办事项名称", max_length=200, help_text="清单外事项或申请人填写的名称。")
    service_form = models.CharField(
        "帮办代办形式", max_length=12, choices=ServiceForm.choices, default=ServiceForm.PROXY
    )
    service_form_other = models.CharField("其他形式说明", max_length=100, blank=True)
    units_text = models.CharField("涉及部门（申请人填写）", max_length=200, blank=True)
    visit_address = models.CharField("上门服务地址", max_length=200, blank=True)
    visit_time = models.CharField("希望上门时间", max_length=100, blank=True)
    units = models.ManyToManyField(Unit, verbose_name="涉及部门", blank=True, related_name="involved_cases")
    description = models.TextField("需求说明", blank=True)

    delivery = models.CharField("结果领取方式", max_length=10, choices=Delivery.choices, default=Delivery.PICKUP)
    recipient_name = models.CharField("收件人", max_length=50, blank=True)
    recipient_phone = models.CharField("收件人电话", max_length=20, blank=True)
    recipient_address = models.CharField("收件地址", max_length=200, blank=True)

    special_group = models.CharField("绿色通道", max_length=12, choices=SpecialGroup.choices, blank=True)
    consent_at = models.DateTimeField("同意个人信息处理时间", null=True, blank=True)

    centre = models.ForeignKey(
        ServiceCentre, verbose_name="受理服务中心", on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(
        Region, verbose_name="所属区域", on_delete=models.PROTECT, related_name="cases", help_text="受理中心所在区域。"
    )
    accepting_unit = models.ForeignKey(
        Unit,
        verbose_name="受理单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accepted_cases",
        help_text="其帮办代办窗口受理本件的单位（统计口径）。",
    )
    received_by = models.ForeignKey(
        User, verbose_name="窗口收件人", on_delete=models.SET_NULL, null=True, blank=True, related_name="received_cases"
    )
    window_opinion = models.TextField("帮办代办窗口意见", blank=True)
    rejection_reason = models.TextField("不予受理原因", blank=True)
    redirect_unit = models.CharField("告知办理单位", max_length=200, blank=True)

    route = models.CharField("办理路径", max_length=12, choices=Route.choices, blank=True)
    lead_unit = models.ForeignKey(
        Unit, verbose_name="牵头单位", on_delete=models.SET_NULL, null=True, blank=True, related_name="led_cases"
    )
    coordinator = models.ForeignKey(
        User,
        verbose_name="专班负责人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_cases",
    )

    result_note = models.TextField("反馈结果说明", blank=True)
    collected_by = models.CharField("领取人", max_length=50, blank=True)
    identity_checked = models.BooleanField("已核验领取人身份", default=False)
    courier_company = models.CharField("快递公司", max_length=50, blank=True)
    tracking_number = models.CharField("快递单号", max_length=50, blank=True)

    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True, db_index=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True, db_index=True)
    results_returned_at = models.DateTimeField("结果返回窗口时间", null=True, blank=True)
    result_notified_at = models.DateTimeField("通知申请人领取时间", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField("窗口反馈时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    closed_at = models.DateTimeField("终止时间", null=True, blank=True, help_text="不予受理或撤回的时间。")
    updated_at = models.DateTimeField("最后修改", auto_now=True)
    version = models.PositiveIntegerField("版本", default=0, help_text="每次变更加一，防止并发覆盖。")

    imported_from = models.CharField("导入来源", max_length=200, blank=True)
    import_key = models.CharField("导入键", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = "帮办代办件"
        verbose_name_plural = "帮办代办台账"
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["centre", "status"]),
            models.Index(fields=["accepting_unit", "accepted_at"]),
            models.Index(fields=["region", "status"]),
            # The ledger's order and each of its filters, ordered the same way (see tests/test_scale_explain.py).
            models.Index(fields=["-submitted_at", "-id"], name="case_ledger_order"),
            models.Index(fields=["centre", "-submitted_at"], name="case_centre_submitted"),
            models.Index(fields=["region", "-submitted_at"], name="case_region_submitted"),
            models.Index(fields=["status", "-submitted_at"], name="case_status_submitted"),
            models.Index(fields=["route", "-submitted_at"], name="case_route_submitted"),
            models.Index(
                fields=["-submitted_at", "-id"], condition=~models.Q(special_group=""), name="case_green_submitted"
            ),
            models.Index(fields=["accepting_unit", "-submitted_at"], name="case_unit_submitted"),
            # 超时预警 and the 超期 filter: open cases by due date.
            models.Index(fields=["status", "due_date"], name="case_status_due"),
        ]

    def __str__(self):
        return f"{self.number} {self.matter_name}"

    @property
    def matter_name(self):
        return self.matter_text or (self.matter.title if self.matter_id else "")


class CaseMaterial(models.Model):
    """A material handed in or listed on the 申请表 (申请材料明细及份数)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=200)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    form = models.CharField("原件/复印件", max_length=12, choices=MaterialForm.choices, default=MaterialForm.ORIGINAL)
    catalogue_material = models.ForeignKey(MatterMaterial, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ×{self.copies}"


def attachment_path(instance, filename):
    # By the case's id: a new case's files are saved before its number is taken (services.numbering).
    return f"cases/{instance.case_id}/{filename}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by_applicant = models.BooleanField(default=True)

    class Meta:
        verbose_name = "上传文件"
        verbose_name_plural = "上传文件"


class CaseEvent(models.Model):
    """The case's history: every action, who did it and when. Public events show on /progress/."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=40)
    label = models.CharField("说明", max_length=200)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(User, verbose_name="操作人", on_delete=models.SET_NULL, null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=100, blank=True, help_text="非员工操作（申请人、系统）。")
    note = models.TextField("备注", blank=True)
    is_public = models.BooleanField("对申请人公开", default=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.label}"


class OneTimeNotice(models.Model):
    """一次性告知书: every missing or wrong item, at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField("其他说明", blank=True)
    supplemented_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性告知书"
        verbose_name_plural = "一次性告知书"
        ordering = ["-issued_at"]


class NoticeItem(models.Model):
    notice = models.ForeignKey(OneTimeNotice, on_delete=models.CASCADE, related_name="items")
    name = models.CharField("材料或事项", max_length=200)
    problem = models.CharField("问题", max_length=20, choices=[("missing", "缺少"), ("wrong", "不符合要求")])
    requirement = models.CharField("补正要求", max_length=300, blank=True)
    catalogue_material = models.ForeignKey(MatterMaterial, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["pk"]


class DeferredMaterialQuerySet(models.QuerySet):
    def outstanding(self):
        """Still owed: neither received nor waived by the window (the only ones the applicant is asked for)."""
        return self.filter(received_at__isnull=True, waived_at__isnull=True)

    def overdue(self, today):
        return self.outstanding().filter(due_date__lt=today)


class DeferredMaterial(models.Model):
    """预审+容缺: a non-essential material accepted to follow later.

    Outstanding until it is received or the window waives it with a reason; while one is outstanding
    the case cannot be delivered (办结) or archived (daiban.services.intake.deferred_hold).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deferred_materials")
    name = models.CharField("容缺材料", max_length=200)
    due_date = models.DateField("补交期限")
    received_at = models.DateTimeField("补交时间", null=True, blank=True)
    waived_at = models.DateTimeField("免于补交时间", null=True, blank=True)
    waived_by = models.ForeignKey(User, verbose_name="决定免交人", on_delete=models.SET_NULL, null=True, blank=True)
    waive_reason = models.CharField("免于补交原因", max_length=300, blank=True)

    objects = DeferredMaterialQuerySet.as_manager()

    @property
    def is_outstanding(self):
        return self.received_at is None and self.waived_at is None

    class Meta:
        verbose_name = "容缺材料"
        verbose_name_plural = "容缺材料"
        ordering = ["due_date"]
        indexes = [
            # 我的待办 (daiban.queues): outstanding materials by due date.
            models.Index(
                fields=["due_date"],
                condition=models.Q(received_at__isnull=True, waived_at__isnull=True),
                name="deferred_outstanding_due",
            ),
        ]


class FlowStatus(models.TextChoices):
    ASSIGNED = "assigned", "待接收"
    ACCEPTED = "accepted", "办理中"
    NEEDS_MATERIALS = "needs_materials", "需补充材料"
    COMPLETED = "completed", "已办结"
    CANCELLED = "cancelled", "已取消"


# A flow still in the unit's hands.
OPEN_FLOW_STATUSES = (FlowStatus.ASSIGNED, FlowStatus.ACCEPTED, FlowStatus.NEEDS_MATERIALS)


class UnitFlow(models.Model):
    """One involved unit's part of a case (相关单位流转情况)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flows")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="flows")
    is_lead = models.BooleanField("牵头单位", default=False)
    status = models.CharField("状态", max_length=20, choices=FlowStatus.choices, default=FlowStatus.ASSIGNED)
    assignee = models.ForeignKey(
        Liaison, verbose_name="帮办代办员", on_delete=models.SET_NULL, null=True, blank=True, related_name="flows"
    )
    assigned_at = models.DateTimeField("转办时间", auto_now_add=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    notice_no = models.CharField("受理通知书编号", max_length=60, blank=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True, db_index=True)
    completed_on = models.DateField("办结日期", null=True, blank=True, db_index=True)
    result_note = models.TextField("办理结果", blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "单位流转"
        verbose_name_plural = "单位流转"
        ordering = ["-is_lead", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "unit"], name="unique_flow_per_unit")]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "due_date"], name="flow_status_due"),
        ]

    def __str__(self):
        return f"{self.case.number} → {self.unit}"


class TaskForceMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="task_force")
    liaison = models.ForeignKey(Liaison, verbose_name="成员", on_delete=models.PROTECT)
    role = models.CharField("分工", max_length=100, blank=True)

    class Meta:
        verbose_name = "专班成员"
        verbose_name_plural = "专班成员"


class HandoverParty(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    WINDOW = "window", "帮办代办窗口"
    UNIT = "unit", "部门（单位）"


class Handover(models.Model):
    """附件6 材料交接: every transfer of paper."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    flow = models.ForeignKey(UnitFlow, on_delete=models.SET_NULL, null=True, blank=True, related_name="handovers")
    from_party = models.CharField("移交方", max_length=10, choices=HandoverParty.choices)
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_party = models.CharField("接收方", max_length=10, choices=HandoverParty.choices)
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handed_over_by = models.ForeignKey(
        User, verbose_name="移交人", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    handed_over_label = models.CharField("移交人姓名", max_length=50, blank=True)
    handed_over_at = models.DateTimeField("移交时间", auto_now_add=True)
    received_by = models.ForeignKey(
        User, verbose_name="接收人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_label = models.CharField("接收人姓名", max_length=50, blank=True)
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    is_result = models.BooleanField("办结结果材料", default=False)

    class Meta:
        verbose_name = "材料交接"
        verbose_name_plural = "材料交接"
        ordering = ["handed_over_at"]
        indexes = [
            # 我的待办: handovers a unit has still to confirm.
            models.Index(
                fields=["to_unit", "handed_over_at"],
                condition=models.Q(received_at__isnull=True),
                name="handover_unit_unconfirmed",
            ),
        ]


class HandoverItem(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    name = models.CharField("材料名称", max_length=200)
    copies = models.PositiveSmallIntegerField("份数", default=1)

    class Meta:
        ordering = ["pk"]


class SupervisionNote(models.Model):
    """督导/督办: a coordinator's or supervisor's note on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervision_notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField("督办意见")
    escalated = models.BooleanField("提级督办", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["created_at"]
        indexes = [
            # 我的待办: the cases under 提级督办.
            models.Index(
                fields=["case", "created_at"], condition=models.Q(escalated=True), name="supervision_escalated"
            ),
        ]


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", "非常满意"
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"
    VERY_DISSATISFIED = "very_dissatisfied", "非常不满意"


SATISFIED_LEVELS = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


class EvaluationMethod(models.TextChoices):
    ONLINE = "online", "网上好差评"
    PHONE = "phone", "电话回访"
    ON_SITE = "on_site", "现场评价"


class Evaluation(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="evaluation")
    level = models.CharField("评价情况", max_length=20, choices=Satisfaction.choices)
    method = models.CharField("评价方式", max_length=10, choices=EvaluationMethod.choices)
    comment = models.TextField("意见建议", blank=True)
    recorded_by = models.ForeignKey(
        User, verbose_name="回访人", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    evaluated_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待核查"
    RECTIFYING = "rectifying", "整改中"
    CALLED_BACK = "called_back", "已回访"
    CLOSED = "closed", "已关闭"


class FollowUp(models.Model):
    """Follow-up of a 不满意 / 非常不满意 evaluation."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField("状态", max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    finding = models.TextField("核查情况", blank=True)
    rectification = models.TextField("整改措施", blank=True)
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    callback_note = models.TextField("回访情况", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        # 我的待办: the follow-ups not yet closed.
        indexes = [models.Index(fields=["status"], name="followup_status")]
