"""Who may see and act on which case. Checked on the server for every view and action."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from .models import Case, UnitFlow
from .roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF, Scope, has_role


def cases_visible_to(user, queryset=None):
    queryset = Case.objects.all() if queryset is None else queryset
    scope = Scope.for_user(user)
    if scope.sees_all:
        return queryset
    q = Q(pk__in=[])
    if has_role(user, COUNTY_BUREAU) and scope.region is not None:
        q |= Q(region__path__startswith=scope.region.path)
    if has_role(user, WINDOW_STAFF) and scope.centre is not None:
        q |= Q(centre=scope.centre)
    if has_role(user, UNIT_STAFF) and scope.unit is not None:
        q |= Exists(UnitFlow.objects.filter(case=OuterRef("pk"), unit=scope.unit)) | Q(lead_unit=scope.unit)
        q |= Q(accepting_unit=scope.unit)
    q |= Q(coordinator=user)
    return queryset.filter(q)


def visible_case_or_404(user, pk, related=()):
    """The case with `related` joined in, if `user` may see it; Http404 otherwise (no hint that it exists)."""
    return get_object_or_404(cases_visible_to(user, Case.objects.select_related(*related)), pk=pk)


def can_view_case(user, case):
    return cases_visible_to(user, Case.objects.filter(pk=case.pk)).exists()


def can_handle_at_window(user, case):
    """Intake, screening, routing, feedback, evaluation: who acts as the 帮办代办窗口 for the case.

    The window of the case's centre; and, for a request taken at a department's own window (进驻窗口,
    policy 三（三）2: `case.accepting_unit` set at registration to a unit other than the centre's window
    unit), that department's 帮办代办员.
    """
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    if has_role(user, WINDOW_STAFF) and scope.centre is not None and scope.centre.pk == case.centre_id:
        return True
    return (
        has_role(user, UNIT_STAFF)
        and scope.unit is not None
        and case.accepting_unit_id == scope.unit.pk
        and case.accepting_unit_id != case.centre.window_unit_id
    )


def can_handle_flow(user, flow):
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    return has_role(user, UNIT_STAFF) and scope.unit is not None and scope.unit.pk == flow.unit_id


def can_supervise(user, case):
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    if case.coordinator_id == user.pk:
        return True
    return (
        has_role(user, COUNTY_BUREAU)
        and scope.region is not None
        and Case.objects.filter(pk=case.pk, region__path__startswith=scope.region.path).exists()
    )
