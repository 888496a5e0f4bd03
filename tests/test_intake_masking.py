"""Masking of personal data and the per-address rate limit."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from daiban.masking import mask_address, mask_email, mask_id_number, mask_name, mask_phone
from daiban.ratelimit import RateLimit


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13800001234", "138****1234"), ("0832-1234567", "0832-***4567"), ("12345", "***45"), ("", ""), (None, "")],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_id_name_address_email():
    assert mask_id_number("510123199001011234") == "5101**********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("内江某某食品有限公司") == "内江******公司"
    assert mask_address("四川省内江市资中县水南镇某路8号") == "四川省内江市****"
    assert mask_email("wang@example.com") == "w***@example.com"
    assert mask_phone(13800001234) == "138****1234"


def test_rate_limit_counts_per_address():
    cache.clear()
    limit = RateLimit("test", limit=2, period=60, message="太多了")
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1")
    other = RequestFactory().get("/", REMOTE_ADDR="10.1.1.2")
    assert not limit.is_exceeded(request)
    limit.hit(request)
    limit.hit(request)
    assert limit.is_exceeded(request)
    assert not limit.is_exceeded(other)
    limit.reset(request)
    assert not limit.is_exceeded(request)
