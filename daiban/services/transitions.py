"""The three state machines, side by side: a case, a unit's flow, a 差评 follow-up.

Each table maps an action to (the statuses it may start from, the status it leads to).
A target of None means the action may happen in those statuses and leaves the status as it is.
Only the action classes in daiban.services read these tables; views ask an action's check().
The case flow follows 附件3 (docs/domain.md, "The case flow").
"""

from ..models import OPEN_FLOW_STATUSES, CaseStatus, FlowStatus, FollowUpStatus

__all__ = ["CASE", "FLOW", "FOLLOW_UP", "OPEN_CASE_STATUSES", "OPEN_FLOW_STATUSES"]

S = CaseStatus
F = FlowStatus
U = FollowUpStatus

# A case can still be withdrawn (and its deferred materials received) until it is completed.
OPEN_CASE_STATUSES = frozenset({S.SUBMITTED, S.PENDING_SUPPLEMENT, S.ACCEPTED, S.IN_PROGRESS})
NOT_ARCHIVED = frozenset(set(S) - {S.ARCHIVED})

CASE = {
    # intake and screening (甄别)
    "reject": ({S.SUBMITTED}, S.REJECTED),
    "request_supplement": ({S.SUBMITTED}, S.PENDING_SUPPLEMENT),
    "supplement": ({S.PENDING_SUPPLEMENT}, S.SUBMITTED),
    # the applicant sends the corrections from /progress/ (not only at the window)
    "supplement_online": ({S.PENDING_SUPPLEMENT}, S.SUBMITTED),
    "accept": ({S.SUBMITTED}, S.ACCEPTED),
    "receive_deferred": (OPEN_CASE_STATUSES | {S.RESULTS_RETURNED, S.COMPLETED}, None),
    "waive_deferred": (OPEN_CASE_STATUSES | {S.RESULTS_RETURNED, S.COMPLETED}, None),
    "withdraw": (OPEN_CASE_STATUSES, S.WITHDRAWN),
    # linked handling (联动办理)
    "route": ({S.ACCEPTED}, S.IN_PROGRESS),
    "add_unit": ({S.IN_PROGRESS}, None),
    # papers change hands at any time until the case is archived (materials go back after a withdrawal too)
    "handover": (NOT_ARCHIVED, None),
    "handover_received": (NOT_ARCHIVED, None),
    "return_results": ({S.IN_PROGRESS}, S.RESULTS_RETURNED),
    "reopen_flows": ({S.RESULTS_RETURNED}, S.IN_PROGRESS),
    "supervise": (OPEN_CASE_STATUSES | {S.RESULTS_RETURNED, S.COMPLETED}, None),
    # result, evaluation, archive
    "notify_result": ({S.RESULTS_RETURNED}, None),
    "deliver": ({S.RESULTS_RETURNED}, S.COMPLETED),
    "evaluate": ({S.COMPLETED}, None),
    "archive": ({S.COMPLETED}, S.ARCHIVED),
}

FLOW = {
    "accept_flow": ({F.ASSIGNED}, F.ACCEPTED),
    "request_materials": ({F.ASSIGNED, F.ACCEPTED}, F.NEEDS_MATERIALS),
    # back to where it was: ACCEPTED when the unit had accepted, else ASSIGNED
    "resume_flow": ({F.NEEDS_MATERIALS}, None),
    "complete_flow": ({F.ACCEPTED}, F.COMPLETED),
    "reopen_flow": ({F.COMPLETED}, F.ACCEPTED),
    "cancel_flow": (set(OPEN_FLOW_STATUSES), F.CANCELLED),
}

FOLLOW_UP = {
    "follow_up_check": ({U.OPEN}, U.RECTIFYING),
    "follow_up_call_back": ({U.RECTIFYING}, U.CALLED_BACK),
    "follow_up_close": ({U.CALLED_BACK}, U.CLOSED),
}
