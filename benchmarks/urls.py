"""The project's URLs plus the benchmarks' floors: a bare admin page on the admin's own base template,
and a bare view inserting one row (the floor of the /apply/ POST)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from daiban.models import Case
from daiban.services.numbering import provisional_number
from portal.urls import urlpatterns as project_urlpatterns


@login_required
def bare_admin_page(request):
    """wagtailadmin/base.html with nothing in it: the menus and chrome every admin page pays for."""
    return render(request, "wagtailadmin/base.html", {})


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
    path("bench/bare-admin/", bare_admin_page),
    path("bench/bare-insert/", bare_insert),
    *project_urlpatterns,
]
