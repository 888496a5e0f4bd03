"""The action pattern every state change in daiban follows (after Wagtail's `wagtail/actions/`).

An action is a small class bound to one object and one person:

- `check()` says whether this person may do this to this object now. It raises an
  `ActionError` whose message, in Chinese, is meant for the person; `is_possible()` is the
  same as a yes/no. Views and templates offer an action only when it is possible: they never
  restate a rule.
- `execute(**params)` cleans the input, then inside `transaction.atomic` locks the object,
  compares the version the person saw (refusing a stale form), checks again on the locked
  row, changes it, records the case event and Wagtail's audit entry, and queues
  notifications in the same transaction.

One calling convention: `SomeAction.run(obj, user=..., version=..., **params)`.
The statuses each action may start from are in daiban.services.transitions.
"""

from django.db import transaction

from ..models import Case, CaseStatus, UnitFlow
from ..permissions import can_handle_at_window
from . import transitions
from .audit import record

__all__ = [
    "Action",
    "CaseAction",
    "ActionError",
    "ActionPermissionDenied",
    "InvalidTransition",
    "ConcurrentUpdate",
    "CaseArchived",
    "current_version",
    "lock_case",
    "required",
    "touch",
    "transition",
]

STALE = "该办件已被其他人修改，请刷新页面后查看最新情况再操作。您填写的内容未丢失。"
ARCHIVED = "该办件已归档，归档后不能再修改。"


class ActionError(Exception):
    """A refused action; the message is Chinese and meant for the person."""


class ActionPermissionDenied(ActionError):
    pass


class InvalidTransition(ActionError):
    pass


class ConcurrentUpdate(ActionError):
    pass


class CaseArchived(ActionError):
    pass


def required(value, message):
    """The stripped text, or an ActionError with `message` when it is empty."""
    value = (value or "").strip()
    if not value:
        raise ActionError(message)
    return value


def lock_case(case_or_pk, version=None):
    """Re-read the case under a row lock; refuse if it is archived or changed since the person loaded it."""
    pk = getattr(case_or_pk, "pk", case_or_pk)
    case = Case.objects.select_for_update().get(pk=pk)
    if case.status == CaseStatus.ARCHIVED:
        raise CaseArchived(ARCHIVED)
    if version is not None and int(version) != case.version:
        raise ConcurrentUpdate(STALE)
    return case


def transition(case, name, *, label, user=None, actor_label="", note="", public=True, data=None, **changes):
    """Move a locked case by the action `name` of the case table, apply field changes, bump the version, record."""
    sources, target = transitions.CASE[name]
    if case.status not in sources:
        raise InvalidTransition(f"办件当前状态为“{case.get_status_display()}”，不能执行此操作。")
    from_status = case.status
    if target is not None:
        case.status = target
    for field, value in changes.items():
        setattr(case, field, value)
    case.version += 1
    case.save()
    return record(
        case,
        name,
        label,
        user=user,
        actor_label=actor_label,
        note=note,
        public=public,
        data=data,
        from_status=from_status if target is not None else "",
    )


def touch(case):
    """Bump the version of a locked case changed without a status change (flows, handovers, notes)."""
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)
    case.version += 1


class Action:
    """One state change of one object by one person. Subclasses set the class attributes below."""

    # The state machine (a table of daiban.services.transitions) and this action's entry in it.
    machine = None
    transition = None
    # What the person is told when they may not do this at all.
    denied = "您没有权限执行此操作。"
    # How the refusal names the thing whose status does not allow the action.
    subject = "办件"

    def __init__(self, obj, *, user=None, version=None):
        self.object = obj
        self.user = user
        self.version = version

    @classmethod
    def run(cls, obj, *, user=None, version, **params):
        return cls(obj, user=user, version=version).execute(**params)

    # What subclasses say ---------------------------------------------------------------------------

    def case_of(self, obj):
        return obj

    def version_of(self, obj):
        """The version a form for this action carries: by default the case's."""
        return self.case_of(obj).version

    def reload(self):
        """The object as it is now, without a lock (to show the person what changed)."""
        return type(self.object)._default_manager.get(pk=self.object.pk)

    def stateful(self, obj):
        """The object whose status the transition table reads."""
        return obj

    def has_permission(self, obj):
        return False

    def check_state(self, obj):
        """Rules beyond the status table; raise an ActionError to refuse."""

    def clean(self, **params):
        """Validate the input before anything is locked; return the cleaned parameters."""
        return params

    def lock(self):
        raise NotImplementedError

    def perform(self, obj, **params):
        raise NotImplementedError

    # The pattern -----------------------------------------------------------------------------------

    def check_rights(self, obj):
        """Archived cases are read-only for everyone; then: may this person do this at all?"""
        case = self.case_of(obj)
        if case is not None and case.status == CaseStatus.ARCHIVED:
            raise CaseArchived(ARCHIVED)
        if not self.has_permission(obj):
            raise ActionPermissionDenied(self.denied)

    def check(self, obj=None):
        obj = self.object if obj is None else obj
        self.check_rights(obj)
        self.check_state(obj)
        if self.transition is not None:
            stateful = self.stateful(obj)
            sources, _target = self.machine[self.transition]
            if stateful.status not in sources:
                raise InvalidTransition(f"{self.subject}当前状态为“{stateful.get_status_display()}”，不能执行此操作。")

    def is_possible(self):
        return not self.refusal()

    def refusal(self):
        """Why this person may not do this now (Chinese), or "" when they may."""
        try:
            self.check()
        except ActionError as error:
            return str(error) or self.denied
        return ""

    def execute(self, **params):
        if self.version is None:
            raise TypeError(f"{type(self).__name__} needs the version the person saw")
        # Rights first (a stranger learns nothing from the input rules); the state is checked on the
        # locked row, after the version, so a stale page is told that it is stale.
        self.check_rights(self.object)
        params = self.clean(**params)
        with transaction.atomic():
            obj = self.lock()
            self.check(obj)
            return self.perform(obj, **params)

    @property
    def target(self):
        return self.machine[self.transition][1]

    def log(self, case, label, **kwargs):
        """Record, on the locked case, a change that keeps the case's status; bump the case's version."""
        touch(case)
        return record(case, self.transition, label, user=self.user, **kwargs)


class CaseAction(Action):
    """An action on a case; by default the window of the case's centre does it."""

    machine = transitions.CASE
    denied = "您没有权限办理该办件：只有该办件所在服务中心的帮办代办窗口人员或受理该件的部门帮办代办员可以操作。"

    def has_permission(self, case):
        return can_handle_at_window(self.user, case)

    def lock(self):
        return lock_case(self.object, self.version)

    def move(self, case, *, label, **kwargs):
        """Move the locked case along the table (or keep its status), apply changes, bump the version, record."""
        return transition(case, self.transition, label=label, user=self.user, **kwargs)


def current_version(obj):
    """The version a person opening the object's page now would see (for scripts: the demo, imports, tests).

    A flow has its own version; a case, a handover and a follow-up carry their case's.
    """
    if isinstance(obj, UnitFlow):
        return UnitFlow.objects.values_list("version", flat=True).get(pk=obj.pk)
    case_id = obj.pk if isinstance(obj, Case) else getattr(obj, "case_id", None)
    if case_id is None:  # a follow-up
        case_id = obj.evaluation.case_id
    return Case.objects.values_list("version", flat=True).get(pk=case_id)
