"""The project's URLs plus the benchmarks' floors: a bare admin page on the admin's own base template, and a
bare public page on the portal's base template (templates/base.html: header, navigation, footer, settings)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as project_urlpatterns


@login_required
def bare_admin_page(request):
    """wagtailadmin/base.html with nothing in it: the menus and chrome every admin page pays for."""
    return render(request, "wagtailadmin/base.html", {})


def bare_public_page(request):
    """templates/base.html with nothing in it: what every public page pays for."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/bare-admin/", bare_admin_page),
    path("bench/bare-public/", bare_public_page),
    *project_urlpatterns,
]
