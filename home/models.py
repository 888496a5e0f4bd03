from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = RichTextField("导语", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    max_count = 1

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        from daiban.models import CentreLevel, ServiceCentre

        context = super().get_context(request, *args, **kwargs)
        context["centres"] = ServiceCentre.objects.exclude(level=CentreLevel.CONVENIENCE_STATION).select_related(
            "region"
        )[:12]
        return context


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """Site name and contact details shown on every public page."""

    site_name = models.CharField("网站名称", max_length=100, default="内江市政务服务帮办代办")
    organisation = models.CharField("主办单位", max_length=100, default="内江市政务服务管理局")
    hotline = models.CharField("咨询电话", max_length=40, default="0832-12345")
    address = models.CharField("地址", max_length=200, default="内江市市民服务中心")
    office_hours = models.CharField(
        "办公时间", max_length=200, default="周一至周五 9:00—12:00，13:30—17:00（法定节假日除外）"
    )
    footer_note = models.CharField("页脚说明", max_length=300, blank=True, default="帮办代办服务全程免费。")

    panels = [
        FieldPanel("site_name"),
        FieldPanel("organisation"),
        FieldPanel("hotline"),
        FieldPanel("address"),
        FieldPanel("office_hours"),
        FieldPanel("footer_note"),
    ]

    class Meta:
        verbose_name = "门户设置"
