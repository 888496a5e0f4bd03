"""Who answers for a unit's flow (A岗/B岗): read by routing, notifications and reminders.

A unit can be routed to only when someone of it can log in: an active A岗 or B岗 liaison linked
to an active user account (`reachable_q`). The flow goes to the A岗 who is present and can log in;
else (A岗 marked away, or without a login) to the B岗; the order is in `assignee_for`.
"""

from django.db.models import Exists, OuterRef, Prefetch

from .models import Liaison, LiaisonPost

__all__ = [
    "RECEIVERS",
    "assignee_for",
    "can_log_in",
    "current_handler",
    "has_login_q",
    "receiver_note",
    "units_without_login",
    "with_receivers",
]

POSTS = (LiaisonPost.A, LiaisonPost.B)


def _login_liaisons():
    return Liaison.objects.filter(is_active=True, post__in=POSTS, user__is_active=True)


def has_login_q():
    """An Exists over units: someone of the unit can log in (active A/B post with an active account)."""
    return Exists(_login_liaisons().filter(unit=OuterRef("pk")))


def units_without_login(units):
    """The units of `units` (a list) that nobody can log in for, in their order. One query."""
    pks = [unit.pk for unit in units]
    if not pks:
        return []
    reachable = set(_login_liaisons().filter(unit_id__in=pks).values_list("unit_id", flat=True))
    return [unit for unit in units if unit.pk not in reachable]


# Prefetch this on units whose receivers a page shows (one query for all of them).
RECEIVERS = Prefetch(
    "liaisons",
    queryset=Liaison.objects.filter(is_active=True).select_related("user").order_by("post", "name", "pk"),
    to_attr="active_liaisons",
)


def with_receivers(units):
    """Units with their active liaisons and accounts prefetched, for `assignee_for` and `receiver_note`."""
    return units.prefetch_related(RECEIVERS)


def can_log_in(liaison):
    return liaison.is_active and liaison.user_id is not None and liaison.user.is_active


def _active_liaisons(unit):
    prefetched = getattr(unit, "active_liaisons", None)
    if prefetched is not None:
        return prefetched
    return list(Liaison.objects.filter(unit=unit, is_active=True).select_related("user").order_by("post", "name", "pk"))


def assignee_for(unit):
    """Who receives a new flow of `unit`, or None when the unit has no active liaison.

    In order: the A岗 present with a login; the B岗 present with a login; the B岗 present (when the
    A岗 is away or has no login: it still gets the SMS); the A岗 present without a login; anyone with
    a login (an A岗 away who is the unit's only login).
    """
    liaisons = [liaison for liaison in _active_liaisons(unit) if liaison.post in POSTS]
    present = [liaison for liaison in liaisons if not liaison.is_away]
    ranks = (
        [liaison for liaison in present if liaison.post == LiaisonPost.A and can_log_in(liaison)],
        [liaison for liaison in present if liaison.post == LiaisonPost.B and can_log_in(liaison)],
        [liaison for liaison in present if liaison.post == LiaisonPost.B],
        [liaison for liaison in present if liaison.post == LiaisonPost.A],
        [liaison for liaison in liaisons if can_log_in(liaison)],
    )
    return next((rank[0] for rank in ranks if rank), None)


def receiver_note(unit):
    """For the routing form: who will receive the unit's flow, or why nobody can (in Chinese)."""
    liaisons = _active_liaisons(unit)
    if not any(can_log_in(liaison) for liaison in liaisons if liaison.post in POSTS):
        return "无可登录的帮办代办员，不能转办"
    receiver = assignee_for(unit)
    post = receiver.get_post_display()
    if receiver.post == LiaisonPost.B:
        a_away = any(liaison.post == LiaisonPost.A and liaison.is_away for liaison in liaisons)
        post += "，A岗外出顶岗" if a_away else "，A岗无登录账号"
    return f"接收人：{receiver.name}（{post}）"


def current_handler(flow):
    """Who answers for a flow today: its assignee, or the unit's B岗 if the assignee is now away."""
    assignee = flow.assignee
    if assignee is not None and assignee.is_active and not assignee.is_away:
        return assignee
    return assignee_for(flow.unit) or assignee
