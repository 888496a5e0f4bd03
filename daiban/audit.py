"""Every export download in Wagtail's audit log (报表 → 站点历史): who, which filter, how many rows."""

from wagtail.log_actions import LogFormatter, log

from .ratelimit import client_ip

EXPORT_LEDGER = "daiban.export.ledger"
EXPORT_LIAISONS = "daiban.export.liaisons"
EXPORT_STATISTICS = "daiban.export.statistics"
EXPORT_MATTERS = "daiban.export.matters"
EXPORT_ACTIONS = {
    EXPORT_LEDGER: "导出台账（附件4）",
    EXPORT_LIAISONS: "导出联络员登记表（附件2）",
    EXPORT_STATISTICS: "导出办件统计表（附件8）",
    EXPORT_MATTERS: "导出事项清单（附件1）",
}


def log_export(action, *, rows, filters=None, request=None, user=None, instance=None, **extra):
    """Record one download. `instance` is what was exported when there is one thing (a list page);
    otherwise the entry hangs on the person who downloaded it."""
    if request is not None and user is None:
        user = request.user if request.user.is_authenticated else None
    data = {
        "rows": rows,
        "filters": {name: _plain(value) for name, value in (filters or {}).items() if value not in (None, "")},
        **extra,
    }
    if request is not None:
        data["ip"] = client_ip(request)
    instance = instance if instance is not None else user
    if instance is not None:
        log(instance=instance, action=action, user=user, data=data)
    else:  # a management command: no person, no single object
        _log_without_object(action, data)


def _log_without_object(action, data):
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(get_user_model(), for_concrete_model=False),
        label="系统（命令行）",
        action=action,
        data=data,
        timestamp=timezone.now(),
        object_id="0",  # no account has pk 0
    )


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def describe(log_entry):
    label = EXPORT_ACTIONS.get(log_entry.action, log_entry.action)
    data = log_entry.data or {}
    filters = "，".join(f"{name}={value}" for name, value in data.get("filters", {}).items()) or "无"
    text = f"{label}：{data.get('rows', 0)}行；筛选：{filters}"
    if "masked" in data:
        text += "；个人信息" + ("已脱敏" if data["masked"] else "含完整联系方式")
    return text


def register_log_actions(actions):
    for action, label in EXPORT_ACTIONS.items():

        class Formatter(LogFormatter):
            def format_message(self, log_entry):
                return describe(log_entry)

        Formatter.label = label
        actions.register_action(action)(Formatter)


def contact_phone_for(user):
    """The phone in exports: in full only for the window staff of the case's own centre, who call the
    applicant; masked for everyone else (bureaus, the city, other centres, units)."""
    from .masking import mask_phone
    from .roles import WINDOW_STAFF, Scope, has_role

    scope = Scope.for_user(user) if user is not None else None
    own_centre = scope.centre.pk if scope and scope.centre is not None and has_role(user, WINDOW_STAFF) else None

    def contact_phone(case):
        if own_centre is not None and case.centre_id == own_centre:
            return case.contact_phone
        return mask_phone(case.contact_phone)

    contact_phone.masks_all = own_centre is None
    return contact_phone
