"""Long work started from a page and run by the worker: an import's preview and apply (历史台账, 附件1
事项清单, 附件2 联络员), a large export.

A job row is what the progress page polls: its status, rows done of rows total, and at the end its
result (counts, the row errors as Chinese text) or the generated file. Its files live in the default
storage under settings.JOB_FILES_PREFIX (never served publicly) and are removed after a day.
"""

from django.conf import settings
from django.db import models

__all__ = ["BackgroundJob", "JobKind", "JobStatus"]


class JobKind(models.TextChoices):
    LEDGER_PREVIEW = "ledger_preview", "历史台账导入预览"
    LEDGER_IMPORT = "ledger_import", "历史台账导入"
    LEDGER_EXPORT = "ledger_export", "台账导出"
    MATTERS_PREVIEW = "matters_preview", "事项清单导入预览"
    MATTERS_IMPORT = "matters_import", "事项清单导入"
    LIAISONS_PREVIEW = "liaisons_preview", "附件2导入预览"
    LIAISONS_IMPORT = "liaisons_import", "附件2导入"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class BackgroundJob(models.Model):
    kind = models.CharField("类型", max_length=20, choices=JobKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        "daiban.Region", verbose_name="地区", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    centre = models.ForeignKey(
        "daiban.ServiceCentre",
        verbose_name="服务中心",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    upload_file = models.CharField("上传文件", max_length=255, blank=True)
    upload_name = models.CharField("上传文件名", max_length=255, blank=True)
    export_file = models.CharField("导出文件", max_length=255, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self):
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
