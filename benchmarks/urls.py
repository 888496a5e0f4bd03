"""The project's URLs plus the benchmarks' floors: a bare admin page on the admin's own base template, a
bare public page on the portal's base template (templates/base.html: header, navigation, footer, settings),
a bare Wagtail page, and a bare view inserting one row (the floor of the /apply/ POST)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.models import Page

from daiban.models import Case
from daiban.services.numbering import provisional_number
from portal.urls import urlpatterns as project_urlpatterns


@login_required
def bare_admin_page(request):
    """wagtailadmin/base.html with nothing in it: the menus and chrome every admin page pays for."""
    return render(request, "wagtailadmin/base.html", {})


def bare_public_page(request):
    """templates/base.html with nothing in it: what every public page pays for."""
    return render(request, "base.html", {})


def bare_wagtail_page(request, path):
    """A plain Wagtail page served as Wagtail serves any page (site, route, before_serve_page hooks),
    rendered on templates/base.html with nothing else: the floor of a public page of the catalogue."""
    route = Page.route_for_request(request, path)
    if route is None:
        raise Http404
    page, args, kwargs = route
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return render(request, "base.html", {"page": page, "self": page})


@require_POST
def bare_insert(request):
    """One row into the case table from the posted name and phone, behind the same middleware (CSRF,
    sessions, security headers) as /apply/, answered with a redirect like /apply/'s."""
    Case.objects.create(
        number=provisional_number(),
        query_code="000000",
        applicant_name=request.POST.get("applicant_name", ""),
        contact_name=request.POST.get("contact_name", ""),
        contact_phone=request.POST.get("contact_phone", ""),
        matter_text="地板",
        region_id=request.POST.get("bench_region"),
        centre_id=request.POST.get("centre"),
    )
    return redirect("/")


urlpatterns = [
    path("bench/bare-wagtail/<path:path>", bare_wagtail_page),
    path("bench/bare-admin/", bare_admin_page),
    path("bench/bare-public/", bare_public_page),
    path("bench/bare-insert/", bare_insert),
    *project_urlpatterns,
]
