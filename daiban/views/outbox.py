"""通知发件箱 in the admin: read-only, failures visible, and a retry for what has not gone out."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from ..masking import mask_email, mask_phone
from ..models import Notification, NotificationChannel, NotificationStatus
from ..permissions import notifications_visible_to
from ..services.base import ActionError
from ..services.outbox import RetryNotification


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Messages are history: they can be viewed (and retried), never added, edited or deleted here."""

    READ_ONLY = {"view"}

    def user_has_permission(self, user, action):
        return action in self.READ_ONLY and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.READ_ONLY])


class OutboxFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices, label="状态")
    channel = django_filters.ChoiceFilter(choices=NotificationChannel.choices, label="渠道")

    class Meta:
        model = Notification
        fields = []


def masked_recipient(notification):
    if notification.channel == NotificationChannel.SMS:
        return mask_phone(notification.recipient)
    return mask_email(notification.recipient)


class OutboxIndexView(generic.IndexView):
    def get_base_queryset(self):
        return notifications_visible_to(self.request.user, super().get_base_queryset())


class OutboxInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(notifications_visible_to(self.request.user), pk=self.pk)


class RetryColumn(Column):
    cell_template_name = "daiban/admin/handling/outbox_retry_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["csrf_token"] = get_token(parent_context["request"])
        context["retry_url"] = reverse("outbox_retry", args=[instance.pk])
        context["can_retry"] = RetryNotification.is_retryable(instance)
        return context


class OutboxViewSet(ModelViewSet):
    model = Notification
    icon = "mail"
    menu_label = "通知发件箱"
    name = "outbox"
    add_to_settings_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    filterset_class = OutboxFilterSet
    index_view_class = OutboxIndexView
    inspect_view_class = OutboxInspectView
    list_display = [
        Column("created_at", label="创建时间"),
        Column("channel", label="渠道", accessor="get_channel_display"),
        Column("recipient", label="接收人", accessor=masked_recipient),
        Column("body", label="内容"),
        Column("status", label="状态", accessor="get_status_display"),
        Column("attempts", label="尝试次数"),
        Column("last_error", label="最近错误"),
        RetryColumn("retry", label="操作"),
    ]
    inspect_view_fields = ["created_at", "channel", "subject", "body", "case", "status", "attempts", "last_error"]
    form_fields = ["status"]  # never shown: the policy refuses add and change


outbox_viewset = OutboxViewSet()


@require_POST
def retry(request, pk):
    """Send one message again now (RetryNotification); a FAILED one gets a fresh set of attempts."""
    if not outbox_viewset.permission_policy.user_has_permission(request.user, "view"):
        raise PermissionDenied
    notification = get_object_or_404(notifications_visible_to(request.user), pk=pk)
    try:
        sent = RetryNotification(notification, user=request.user).execute()
    except ActionError as error:
        messages.info(request, str(error))
        return redirect("outbox:index")
    if sent:
        messages.success(request, "已重新发送。")
    else:
        messages.error(request, f"仍然发送失败：{Notification.objects.get(pk=pk).last_error}。系统将稍后自动重试。")
    return redirect("outbox:index")


urlpatterns = [path("outbox/<int:pk>/retry/", retry, name="outbox_retry")]
