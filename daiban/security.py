"""Request ids, logging, the Content-Security-Policy per area, and the error pages.

Loaded by the logging configuration before the apps are ready: no model imports at module level.
"""

import contextvars
import logging
import logging.handlers
import re
import sys
import uuid
from pathlib import Path

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

REQUEST_ID_HEADER = "X-Request-ID"
_request_id = contextvars.ContextVar("request_id", default="-")
# A request id from the proxy is kept only if it looks like one (it lands in every log line).
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id():
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id (the proxy's X-Request-ID if sane), for the logs and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record ("-" outside a request)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class RotatingFileHandler(logging.handlers.RotatingFileHandler):
    """The standard rotating file, creating its folder (LOG_DIR) first."""

    def __init__(self, filename, *args, **kwargs):
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(filename, *args, **kwargs)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp with a second policy for Wagtail's admin, whose panels still use inline scripts."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and _is_admin(request):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts


def _is_admin(request):
    return request.path_info.startswith("/admin/")


# Error pages --------------------------------------------------------------------------------------
# Rendered without a RequestContext: no context processor (Wagtail settings, the user) touches the
# database, so the pages still show when the database is down.

DATABASE_DOWN = (OperationalError, InterfaceError)


def error_page(template_name, status, request=None):
    context = {
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
        "request_id": getattr(request, "request_id", None) or current_request_id(),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        "path": getattr(request, "path", ""),
    }
    return HttpResponse(loader.get_template(template_name).render(context), status=status)


def bad_request(request, exception=None):
    """A request Django cannot read (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a broken multipart body)."""
    return error_page("400.html", 400, request)


def page_not_found(request, exception=None):
    return error_page("404.html", 404, request)


def server_error(request):
    """500, or 503 服务暂不可用 when the database cannot be reached (the traceback is logged by Django)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN) or (
        isinstance(exception, DatabaseError) and "connect" in str(exception).lower()
    ):
        return error_page("503.html", 503, request)
    return error_page("500.html", 500, request)
