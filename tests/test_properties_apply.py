"""Property: /apply/ never fails, whatever is posted (see tests/property_setup.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daiban.models import Case
from tests.intake_setup import World, apply_post
from tests.property_setup import (
    PROPERTY,
    case_fields,
    check,
    form_data,
    formset_fields,
    int_text,
    send,
    text,
    uploads,
    value,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def apply_fields(world):
    fields = case_fields([world.matter.pk], [world.centre.pk, world.other_centre.pk])
    fields.update(
        {
            "consent": value("on", "", "off", "1"),
            "website": st.one_of(st.just(""), st.just(""), st.just(""), text(10)),
            "kept_files": value("", "abc:def", "W10:1a2b"),
            "keep": value("1", "x"),
        }
    )
    fields.update(
        formset_fields(
            "materials",
            {
                "name": value("", "居民身份证", "户口簿"),
                "copies": int_text(1, 2, 99, 100),
                "form": value("original", "copy", "both", "electronic"),
            },
        )
    )
    return fields


@st.composite
def apply_posts(draw, world):
    data = draw(form_data(apply_fields(world), valid=apply_post(world), lists=("keep",)))
    if draw(st.integers(0, 4)) == 0:
        data["files"] = draw(uploads())
    return data


def test_apply_answers_every_post_without_a_server_error(client, world):
    before = Case.objects.count()
    statuses = set()

    @PROPERTY
    @given(data=apply_posts(world))
    def post(data):
        response = send(client, "post", "/apply/", data)
        check(response, {302, 400})
        statuses.add(response.status_code)

    post()
    assert statuses == {302, 400}  # some posts were whole and stored, some refused
    assert Case.objects.count() == before  # every example was rolled back


def test_apply_page_opens_with_any_matter_in_the_address(client, world):
    # One field, one lookup: a hundred examples cover it (the 500 go to the posted forms).
    @settings(PROPERTY, max_examples=min(100, PROPERTY.max_examples))
    @given(matter=int_text(world.matter.pk, "abc", "²", "١", "１"))
    def get(matter):
        check(send(client, "get", "/apply/", {"matter": matter}), {200})

    get()
