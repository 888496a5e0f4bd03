"""The roles of docs/domain.md as Wagtail groups, and what each person's scope is."""

from dataclasses import dataclass

from django.db.models import Q

CITY_GUIDANCE = "市审批指导科"
COUNTY_BUREAU = "县级审批局"
WINDOW_STAFF = "帮办代办窗口人员"
UNIT_STAFF = "单位帮办代办员"
GUIDE_EDITOR = "指南编辑"

ALL_ROLES = [CITY_GUIDANCE, COUNTY_BUREAU, WINDOW_STAFF, UNIT_STAFF, GUIDE_EDITOR]


@dataclass(frozen=True)
class Scope:
    """What part of the organisation a person may see.

    The city's 审批指导科 and superusers see everything; a county bureau sees its
    region and below; window staff their centre; unit staff their unit.
    """

    user: object
    sees_all: bool
    region: object = None
    centre: object = None
    unit: object = None

    @classmethod
    def for_user(cls, user):
        if not user.is_authenticated or not user.is_active:
            return cls(user=user, sees_all=False)
        if user.is_superuser or has_role(user, CITY_GUIDANCE):
            return cls(user=user, sees_all=True)
        profile = getattr(user, "staff_profile", None)
        if profile is None:
            return cls(user=user, sees_all=False)
        return cls(user=user, sees_all=False, region=profile.region, centre=profile.centre, unit=profile.unit)

    @property
    def is_supervisor(self):
        return self.sees_all or has_role(self.user, COUNTY_BUREAU)

    def region_q(self, region_field="region"):
        """Records attached to a region: the person's region and everything below it."""
        if self.sees_all:
            return Q()
        if self.region is None:
            return Q(pk__in=[])
        return Q(**{f"{region_field}__path__startswith": self.region.path})


def is_unit_editor(user):
    """A guide editor bound to their unit (reviewers and superusers are not)."""
    if not user or not user.is_authenticated or user.is_superuser:
        return False
    return has_role(user, GUIDE_EDITOR) and not has_role(user, CITY_GUIDANCE)


def editor_unit_id(user):
    profile = getattr(user, "staff_profile", None)
    return profile.unit_id if profile else None


def has_role(user, role):
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_daiban_roles", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._daiban_roles = cache
    return role in cache
