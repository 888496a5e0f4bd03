"""Property: /progress/ never fails: the query, withdrawal, corrections and the online evaluation.

See tests/property_setup.py for how the examples are run and checked.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from daiban.models import CaseStatus, Evaluation
from daiban.services import intake
from daiban.services.base import current_version
from tests.intake_setup import World
from tests.property_setup import PDF, PROPERTY, check, form_data, int_text, phone_text, send, text, uploads, value
from tests.results_setup import case_in

pytestmark = pytest.mark.django_db


class ProgressWorld(World):
    """A case waiting for corrections (一次性告知 with two items) and a completed one waiting for its evaluation."""

    def __init__(self):
        super().__init__()
        self.noticed = self.online_case()
        intake.request_supplement(
            self.noticed,
            user=self.window,
            items=[{"name": "居民身份证", "problem": "wrong"}, {"name": "户口簿", "problem": "missing"}],
            version=self.noticed.version,
        )
        self.noticed.refresh_from_db()
        self.items = list(self.noticed.notices.get().items.all())
        self.completed = case_in(CaseStatus.COMPLETED, self.bureau_unit, self.centre, phone="13900002222")


@pytest.fixture
def world():
    return ProgressWorld()


def verified(client, case, secret=None):
    response = client.post("/progress/", {"number": case.number, "secret": secret or case.contact_phone})
    assert response.status_code == 302
    return client


@st.composite
def progress_requests(draw, world):
    """(method, url, data, statuses) of one of the page's forms."""
    case = world.noticed
    kind = draw(st.sampled_from(["query", "look", "withdraw", "corrections"]))
    if kind == "query":
        fields = {
            "number": value(case.number, case.number.lower(), f" {case.number} ", "BD20260101000１", "BD" + "9" * 30),
            "secret": st.one_of(value(case.contact_phone, case.query_code), phone_text()),
        }
        valid = {"number": case.number, "secret": case.query_code}
        return "post", "/progress/", draw(form_data(fields, valid=valid)), {302, 400, 404}
    if kind == "look":
        return "get", "/progress/", draw(form_data({"number": value(case.number, "x")})), {200}
    version = int_text(case.version, case.version + 1, -1)
    if kind == "withdraw":
        fields = {"version": version, "confirm": value("on", ""), "reason": value("", "不办了")}
        valid = {"version": str(case.version), "confirm": "on"}
        return "post", "/progress/withdraw/", draw(form_data(fields, valid=valid)), {302, 400, 409}
    fields = {"version": version, "note": value("", "已换新证")}
    data = draw(form_data(fields, valid={"version": str(case.version)}))
    for item in world.items:
        if draw(st.booleans()):
            data[f"item_{item.pk}"] = draw(st.one_of(uploads(), st.just([SimpleUploadedFile("a.pdf", PDF)])))
    return "post", "/progress/corrections/", data, {302, 400, 409}


def test_progress_answers_every_form_without_a_server_error(client, world):
    verified(client, world.noticed, world.noticed.query_code)
    statuses = set()

    @PROPERTY
    @given(request=progress_requests(world))
    def post(request):
        method, url, data, allowed = request
        response = send(client, method, url, data)
        check(response, allowed)
        statuses.add(response.status_code)

    post()
    assert {200, 302, 400} <= statuses
    world.noticed.refresh_from_db()
    assert world.noticed.status == CaseStatus.PENDING_SUPPLEMENT  # every example was rolled back


def test_online_evaluation_answers_every_post_without_a_server_error(client, world):
    case = world.completed
    verified(client, case)
    fields = {
        "case": value(case.pk, case.pk + 1, ""),
        "level": value("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"),
        "comment": st.one_of(value("", "服务周到"), text(600)),
        "version": int_text(current_version(case), 0),
    }

    valid = {"case": str(case.pk), "level": "satisfied", "comment": "很好", "version": str(current_version(case))}

    @PROPERTY
    @given(data=form_data(fields, valid=valid))
    def post(data):
        # Followed to the progress page, which shows the evaluation or the draft kept in the session.
        response = send(client, "post", "/progress/evaluate/", data, follow=True)
        check(response, {200, 400})

    post()
    assert not Evaluation.objects.filter(case=case).exists()
