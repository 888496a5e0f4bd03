"""Public URLs of the portal (the admin's own views are registered in wagtail_hooks)."""

from django.urls import path  # noqa: F401

app_name = "daiban"

urlpatterns = []
