"""Errors leave a trace (traceback and request id in the log) and show Chinese pages without a database."""

import logging
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings
from django.urls import path

from daiban.security import RotatingFileHandler


def broken(request):
    raise ZeroDivisionError("计算出错")


def needs_the_database(request):
    from daiban.models import Case

    return Case.objects.count()


urlpatterns = [path("broken/", broken), path("db/", needs_the_database)]
handler404 = "daiban.security.page_not_found"
handler500 = "daiban.security.server_error"
ERROR_PAGES = override_settings(ROOT_URLCONF=__name__, DEBUG=False, SERVICE_HOTLINE="0832-1234567")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@ERROR_PAGES
def test_a_500_is_chinese_with_the_hotline_and_the_request_id_and_logged_with_its_traceback(client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html and "0832-1234567" in html
    request_id = response["X-Request-ID"]
    assert request_id in html
    record = next(record for record in caplog.records if record.name == "django.request")
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError
    # The configured handlers' format: the request id and the whole traceback.
    handler = logging.getLogger("django.request").handlers[0]
    assert any(isinstance(f, logging.Filter) for f in handler.filters)
    for log_filter in handler.filters:
        log_filter.filter(record)
    line = handler.format(record)
    assert f"request_id={request_id}" in line
    assert "Traceback (most recent call last)" in line and "ZeroDivisionError: 计算出错" in line
    # … and the same line is in the rotating file in LOG_DIR.
    log_file = Path(settings.LOG_DIR) / "portal.log"
    file_handlers = [h for h in logging.getLogger("django.request").handlers if isinstance(h, RotatingFileHandler)]
    assert [Path(h.baseFilename) for h in file_handlers] == [log_file]
    written = log_file.read_text(encoding="utf-8")
    assert f"request_id={request_id}" in written and "ZeroDivisionError: 计算出错" in written


@ERROR_PAGES
def test_with_the_database_down_the_page_is_chinese_503_without_touching_it(client):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        response = client.get("/db/")
    html = response.content.decode()
    assert response.status_code == 503
    assert "服务暂不可用" in html and "0832-1234567" in html


@ERROR_PAGES
def test_the_500_page_renders_with_the_database_down(client):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        response = client.get("/broken/")
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


@ERROR_PAGES
@pytest.mark.django_db
def test_a_404_is_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_a_request_too_large_to_read_is_answered_in_chinese(client, settings):
    # Django's own 400 page was English (found by tests/test_properties_apply.py).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    settings.SERVICE_HOTLINE = "0832-7654321"
    response = client.post("/apply/", {"description": "很长的说明" * 1_000})
    assert response.status_code == 400
    html = response.content.decode()
    assert "无法处理的请求" in html and "0832-7654321" in html and "Bad Request" not in html


def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    response = client.get("/static-does-not-matter/", HTTP_X_REQUEST_ID="proxy-id-12345678")
    assert response["X-Request-ID"] == "proxy-id-12345678"
    forged = client.get("/x/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert forged["X-Request-ID"] != "bad id\nwith newline" and len(forged["X-Request-ID"]) == 32


def test_the_log_file_is_rotated_in_log_dir(tmp_path):
    handler = RotatingFileHandler(str(tmp_path / "logs" / "portal.log"), maxBytes=200, backupCount=2)
    logger = logging.getLogger("daiban.test_rotation")
    logger.addHandler(handler)
    try:
        for _ in range(20):
            logger.error("一行日志内容" * 5)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert (tmp_path / "logs" / "portal.log.1").exists()


@pytest.mark.django_db
def test_the_portal_404_is_the_chinese_page(client):
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
