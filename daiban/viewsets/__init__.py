"""Wagtail admin viewsets of the portal, registered from daiban.wagtail_hooks."""
