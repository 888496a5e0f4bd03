"""Who answers for a unit's flow (A岗/B岗): read by routing, notifications and reminders."""

from .models import LiaisonPost

__all__ = ["assignee_for", "current_handler"]


def assignee_for(unit):
    """The unit's active A岗; its B岗 when the A岗 is away; None when the unit has neither."""
    liaisons = [liaison for liaison in unit.liaisons.all() if liaison.is_active]
    a_posts = [liaison for liaison in liaisons if liaison.post == LiaisonPost.A and not liaison.is_away]
    b_posts = [liaison for liaison in liaisons if liaison.post == LiaisonPost.B and not liaison.is_away]
    return (a_posts or b_posts or [None])[0]


def current_handler(flow):
    """Who answers for a flow today: its assignee, or the unit's B岗 if the assignee is now away."""
    assignee = flow.assignee
    if assignee is not None and assignee.is_active and not assignee.is_away:
        return assignee
    return assignee_for(flow.unit) or assignee
