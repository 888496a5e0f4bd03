"""Property: the window's registration and screening forms never fail, whatever the window posts.

See tests/property_setup.py for how the examples are run and checked.
"""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from daiban.models import Case, CaseStatus
from daiban.services import intake
from tests.intake_setup import World, apply_post
from tests.property_setup import (
    PROPERTY,
    case_fields,
    check,
    date_text,
    form_data,
    formset_fields,
    int_text,
    send,
    text,
    uploads,
    value,
)

pytestmark = pytest.mark.django_db

SCREENING = ["accept", "request_supplement", "supplement", "reject", "withdraw", "receive_deferred", "waive_deferred"]


class ScreeningWorld(World):
    """A new online request, one waiting for corrections, one accepted with a 容缺 material outstanding."""

    def __init__(self):
        super().__init__()
        self.submitted = self.case_in(CaseStatus.SUBMITTED)
        self.noticed = self.case_in(CaseStatus.PENDING_SUPPLEMENT)
        deferred = self.online_case()
        due = timezone.localdate() + datetime.timedelta(days=5)
        intake.accept(deferred, user=self.window, window_opinion="符合", deferred=[("户口簿", due)], version=0)
        self.deferred = Case.objects.get(pk=deferred.pk)
        self.cases = [self.submitted, self.noticed, self.deferred]
        self.catalogue = list(self.matter.materials.all())
        self.material_ids = list(self.deferred.deferred_materials.values_list("pk", flat=True))


@pytest.fixture
def world():
    return ScreeningWorld()


def test_window_registration_answers_every_post_without_a_server_error(client, world):
    client.force_login(world.window)
    fields = case_fields([world.matter.pk], [world.centre.pk, world.other_centre.pk])
    fields.update(
        {
            "channel": value("window", "phone", "home_visit", "online"),
            "department": value("", world.unit.pk, world.bureau_unit.pk),
            "consent": value("on", ""),
        }
    )
    fields.update(
        formset_fields(
            "materials",
            {
                "name": value("", "居民身份证"),
                "copies": int_text(1, 99, 100),
                "form": value("original", "copy", "both", "electronic"),
            },
        )
    )
    statuses = set()

    valid = apply_post(world, channel="window", email="", description="")
    del valid["website"]

    @PROPERTY
    @given(data=form_data(fields, valid=valid), files=st.one_of(st.just([]), uploads()))
    def post(data, files):
        if files:
            data["files"] = files
        response = send(client, "post", "/admin/cases/register/", data)
        check(response, {302, 400})
        statuses.add(response.status_code)

    before = Case.objects.count()
    post()
    assert statuses == {302, 400}
    assert Case.objects.count() == before


@st.composite
def screening_posts(draw, world):
    case = draw(st.sampled_from(world.cases))
    name = draw(st.sampled_from([*SCREENING, "archive", "x"]))
    fields = {
        "version": int_text(case.version, case.version + 1),
        "reason": value("不属于帮办代办范围"),
        "redirect_unit": value("县公安局"),
        "window_opinion": value("符合办理条件，予以受理。"),
        "extra_items": st.one_of(value("", "户口簿：复印件", "：\n：：", "\n\n"), text(200)),
        "note": value(""),
        "material_id": int_text(*world.material_ids, 0),
    }
    for material in world.catalogue:
        fields[f"problem_{material.pk}"] = value("", "missing", "wrong")
        fields[f"requirement_{material.pk}"] = value("", "须在有效期内")
    fields.update(
        formset_fields("deferred", {"name": value("", "户口簿"), "due_date": date_text()}, rows=3, max_num=10)
    )
    valid = {
        "accept": {
            "window_opinion": "符合",
            "deferred-TOTAL_FORMS": "1",
            "deferred-INITIAL_FORMS": "0",
            "deferred-0-name": "户口簿",
            "deferred-0-due_date": "2099-01-01",
        },
        "request_supplement": {f"problem_{world.catalogue[0].pk}": "missing", "extra_items": "照片：一寸"},
        "reject": {"reason": "不属于", "redirect_unit": "县公安局"},
        "withdraw": {"reason": "来电撤回"},
        "receive_deferred": {"material_id": str(world.material_ids[0])},
        "waive_deferred": {"material_id": str(world.material_ids[0]), "reason": "已核验"},
    }.get(name, {})
    data = draw(form_data(fields, valid={"version": str(case.version), **valid}))
    if name == "supplement" and draw(st.booleans()):
        data["files"] = draw(uploads())
    return case, name, data


def test_screening_actions_answer_every_post_without_a_server_error(client, world):
    client.force_login(world.window)
    statuses = set()

    @PROPERTY
    @given(post=screening_posts(world))
    def screen(post):
        case, name, data = post
        response = send(client, "post", f"/admin/cases/{case.pk}/action/{name}/", data)
        check(response, {302, 400, 404, 409})
        statuses.add(response.status_code)

    screen()
    assert {302, 400, 409} <= statuses
    assert [Case.objects.get(pk=case.pk).status for case in world.cases] == [case.status for case in world.cases]
