from django.test import RequestFactory, override_settings

from daiban.ratelimit import client_ip


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/apply/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    assert client_ip(request_from("10.0.0.9", "1.2.3.4")) == "10.0.0.9"


@override_settings(RATELIMIT_TRUST_FORWARDED=True)
def test_behind_the_proxy_the_address_it_added_counts_not_a_forged_one():
    # The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the real address.
    assert client_ip(request_from("10.0.0.9", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.9")) == "10.0.0.9"
