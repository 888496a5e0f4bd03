"""Shared set-up for the linked-handling tests: a window, units with A/B posts, accepted cases."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from daiban.models import CaseStatus, LiaisonPost
from daiban.roles import COUNTY_BUREAU, UNIT_STAFF, WINDOW_STAFF
from tests.factories import CaseFactory, CentreFactory, LiaisonFactory, UnitFactory, matter, staff_user


@dataclass
class Unit:
    unit: object
    staff: object
    a_post: object
    b_post: object


def unit_with_staff(name, region=None):
    unit = UnitFactory(name=name, **({"region": region} if region else {}))
    staff = staff_user(UNIT_STAFF, unit=unit)
    a_post = LiaisonFactory(unit=unit, post=LiaisonPost.A, is_designated=True, user=staff)
    b_post = LiaisonFactory(unit=unit, post=LiaisonPost.B)
    return Unit(unit=unit, staff=staff, a_post=a_post, b_post=b_post)


class World:
    """A county centre with its window, two units and a county bureau supervisor."""

    def __init__(self):
        self.centre = CentreFactory()
        self.window = staff_user(WINDOW_STAFF, centre=self.centre)
        self.window_liaison = LiaisonFactory(unit=None, centre=self.centre, region=self.centre.region, user=self.window)
        self.lead = unit_with_staff("县市场监管局")
        self.co = unit_with_staff("县税务局")
        self.bureau = staff_user(COUNTY_BUREAU, region=self.centre.region)
        self.matter = matter(title="企业开办一件事", unit=self.lead.unit, promised_days=5)

    def accepted_case(self, due_date=None, **kwargs):
        today = timezone.localdate()
        return CaseFactory(
            centre=self.centre,
            status=CaseStatus.ACCEPTED,
            matter=self.matter,
            matter_text=self.matter.title,
            accepted_at=timezone.now(),
            due_date=due_date or today + datetime.timedelta(days=10),
            received_by=self.window,
            **kwargs,
        )


def bundle(world, case=None):
    """A 一件事一次办 case (a new accepted one by default) routed to the lead unit with its co-handling unit."""
    from daiban.services import handling

    case = case or world.accepted_case()
    return handling.route_bundle(
        case, lead_unit=world.lead.unit, co_units=[world.co.unit], user=world.window, version=case.version
    )
