"""Who may see and who may act: every rule of access, checked on the server for every view and action.

Seeing is not acting. The city's 审批指导科 sees every case and supervises (督办, 差评整改,
reports, catalogue approvals), but it does not act as a window or as a unit: only the window
of the case's centre screens, routes and closes a case, and only a unit's own 帮办代办员 handles
its flow. Superusers (system administrators) keep every right. The roles are described in
docs/domain.md ("Who uses it").
"""

from django.contrib.auth import get_permission_codename
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .masking import mask_phone
from .models import (
    BackgroundJob,
    Case,
    CaseStatus,
    HandoverParty,
    Liaison,
    MatterPage,
    Notification,
    ServiceCentre,
    Unit,
    UnitFlow,
    WorkCalendarDay,
)
from .roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF, Scope, editor_unit_id, has_role, is_unit_editor

__all__ = [
    "can_maintain_calendar",
    "can_change_liaison",
    "cases_visible_to",
    "visible_case_or_404",
    "can_handle_at_window",
    "can_register_at",
    "registration_centres",
    "can_handle_flow",
    "can_add_co_handling_unit",
    "can_sign_handover",
    "can_supervise",
    "can_confirm_report",
    "notifications_visible_to",
    "export_phone_for",
    "editable_units",
    "may_edit_matter",
    "job_visible_to",
    "visible_job_or_404",
]


# Seeing ------------------------------------------------------------------------------------------


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
        q |= Q(accepting_unit=scope.unit)  # taken at the department's own window
    q |= Q(coordinator=user)
    return queryset.filter(q)


def visible_case_or_404(user, pk, related=()):
    """The case with `related` joined in, if `user` may see it; Http404 otherwise (no hint that it exists)."""
    return get_object_or_404(cases_visible_to(user, Case.objects.select_related(*related)), pk=pk)


def notifications_visible_to(user, queryset=None):
    """Everything for those who see all; otherwise the messages about cases in the person's scope."""
    queryset = Notification.objects.all() if queryset is None else queryset
    if Scope.for_user(user).sees_all:
        return queryset
    return queryset.filter(case__in=cases_visible_to(user))


# Acting ------------------------------------------------------------------------------------------


def _is_superuser(user):
    return user is not None and user.is_authenticated and user.is_active and user.is_superuser


def can_register_at(user, centre, unit=None):
    """Window staff register requests at their own centre.

    With `unit`: the request is taken at that department's own window (进驻窗口) in `centre`, by the
    department's 帮办代办员 (policy 三（三）2); the unit must be stationed there.
    """
    if centre is None:
        return False
    if unit is not None and unit.pk != centre.window_unit_id and not unit.centres.filter(pk=centre.pk).exists():
        return False
    return can_handle_at_window(user, Case(centre=centre, accepting_unit=unit))


def registration_centres(user):
    """Centres where `user` may register requests: their centre's window or their department's windows."""
    if _is_superuser(user):
        return ServiceCentre.objects.all()
    scope = Scope.for_user(user)
    q = Q(pk__in=[])
    if has_role(user, WINDOW_STAFF) and scope.centre is not None:
        q |= Q(pk=scope.centre.pk)
    if has_role(user, UNIT_STAFF) and scope.unit is not None:
        q |= Q(units=scope.unit) & ~Q(window_unit=scope.unit)
    return ServiceCentre.objects.filter(q).distinct()


def can_handle_at_window(user, case):
    """Intake, screening, routing, feedback, evaluation, archive: who acts as the 帮办代办窗口 for the case.

    The window of the case's centre; and, for a request taken at a department's own window (进驻窗口:
    `case.accepting_unit` set at registration to a unit other than the centre's window unit), that
    department's 帮办代办员.
    """
    if _is_superuser(user):
        return True
    scope = Scope.for_user(user)
    if has_role(user, WINDOW_STAFF) and scope.centre is not None and scope.centre.pk == case.centre_id:
        return True
    return (
        has_role(user, UNIT_STAFF)
        and scope.unit is not None
        and case.accepting_unit_id == scope.unit.pk
        and case.accepting_unit_id != case.centre.window_unit_id
    )


def can_handle_flow(user, flow):
    """A unit's flow: that unit's own 帮办代办员."""
    if _is_superuser(user):
        return True
    if not has_role(user, UNIT_STAFF):
        return False
    scope = Scope.for_user(user)
    return scope.unit is not None and scope.unit.pk == flow.unit_id


def can_add_co_handling_unit(user, case):
    """The lead unit's staff, the 专班 coordinator and the window may bring in more units."""
    if can_handle_at_window(user, case) or (user is not None and case.coordinator_id == user.pk):
        return True
    lead = next((flow for flow in case.flows.all() if flow.is_lead), None)
    return lead is not None and can_handle_flow(user, lead)


def can_sign_handover(user, case, party, unit):
    """May this person sign for one side of a handover? The window signs for itself and for the applicant."""
    if party in (HandoverParty.WINDOW, HandoverParty.APPLICANT):
        return can_handle_at_window(user, case)
    if _is_superuser(user):
        return True
    scope = Scope.for_user(user)
    return has_role(user, UNIT_STAFF) and unit is not None and scope.unit is not None and scope.unit.pk == unit.pk


def can_supervise(user, case):
    """督办 and 差评整改: the city, the county bureau above the case, and the 专班 coordinator."""
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    if user is not None and case.coordinator_id == user.pk:
        return True
    return (
        has_role(user, COUNTY_BUREAU)
        and scope.region is not None
        and Case.objects.filter(pk=case.pk, region__path__startswith=scope.region.path).exists()
    )


def can_confirm_report(user, unit):
    """A unit's monthly figures: its own staff, the window of a centre it runs, or a county bureau above it.

    The city sees who confirmed; it does not confirm for the units.
    """
    if _is_superuser(user):
        return True
    scope = Scope.for_user(user)
    if scope.sees_all:
        return False
    if scope.unit is not None and scope.unit.pk == unit.pk:
        return True
    centre = scope.centre
    if has_role(user, WINDOW_STAFF) and centre is not None and centre.window_unit_id == unit.pk:
        return True
    return has_role(user, COUNTY_BUREAU) and scope.region is not None and unit.region.path.startswith(scope.region.path)


def export_phone_for(user):
    """The applicant's phone in exports: in full only for the window staff of the case's own centre, who
    call the applicant; masked for everyone else (bureaus, the city, other centres, units)."""
    scope = Scope.for_user(user) if user is not None else None
    own_centre = scope.centre.pk if scope and scope.centre is not None and has_role(user, WINDOW_STAFF) else None

    def contact_phone(case):
        if own_centre is not None and case.centre_id == own_centre:
            return case.contact_phone
        return mask_phone(case.contact_phone)

    contact_phone.masks_all = own_centre is None
    return contact_phone


def case_is_open(case):
    return case.status not in (CaseStatus.ARCHIVED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)


# The catalogue -----------------------------------------------------------------------------------


def editable_units(user):
    """The units whose matters a user may edit: a queryset, or None for no restriction."""
    return Unit.objects.editable_by(user)


def may_edit_matter(user, page):
    page = page.specific if type(page) is not MatterPage and hasattr(page, "specific") else page
    if not isinstance(page, MatterPage) or not is_unit_editor(user):
        return True
    unit_id = editor_unit_id(user)
    return unit_id is not None and page.unit_id == unit_id


# Background jobs ---------------------------------------------------------------------------------


def job_visible_to(user, job):
    """A job (its progress, preview, result and file): the person who started it, or staff of its scope."""
    if not user.is_authenticated or not user.is_active:
        return False
    if job.user_id == user.pk or _is_superuser(user):
        return True
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    if has_role(user, WINDOW_STAFF) and scope.centre is not None and job.centre_id == scope.centre.pk:
        return True
    return (
        has_role(user, COUNTY_BUREAU)
        and scope.region is not None
        and job.region is not None
        and job.region.path.startswith(scope.region.path)
    )


def visible_job_or_404(user, pk):
    job = get_object_or_404(BackgroundJob.objects.select_related("region"), pk=pk)
    if not job_visible_to(user, job):
        raise Http404
    return job


def can_maintain_calendar(user):
    """May keep the 工作日历 (superusers and the city's 审批指导科, migration 0018_calendar_permission)."""
    codename = get_permission_codename("change", WorkCalendarDay._meta)
    return bool(user and user.is_authenticated and user.has_perm(f"daiban.{codename}"))


def can_change_liaison(user, liaison):
    """May keep a liaison's post (外出, 在岗): the Django permission, and the liaison inside the person's region."""
    codename = get_permission_codename("change", Liaison._meta)
    if not (user and user.is_authenticated and user.has_perm(f"daiban.{codename}")):
        return False
    scope = Scope.for_user(user)
    if scope.sees_all:
        return True
    return scope.region is not None and liaison.region.path.startswith(scope.region.path)
