"""Public URLs of the portal (the admin's own views are registered in wagtail_hooks)."""

from django.urls import path

from .views import catalogue, public_cases, public_pages, results

app_name = "daiban"

urlpatterns = [
    path("apply/", public_cases.apply, name="apply"),
    path("apply/matters/", public_cases.matters, name="apply_matters"),
    path("apply/receipt/<str:number>/", public_cases.receipt, name="apply_receipt"),
    path("progress/", public_cases.progress, name="progress"),
    path("progress/withdraw/", public_cases.withdraw, name="progress_withdraw"),
    path("progress/corrections/", public_cases.send_corrections, name="progress_corrections"),
    path("progress/forget/", public_cases.forget, name="progress_forget"),
    path("progress/evaluate/", results.evaluate_online, name="progress_evaluate"),
    path("search/", catalogue.search, name="search"),
    path("matters/", catalogue.catalogue_index, name="matter_lists"),
    path("matters/<int:pk>/export/", catalogue.export_list, name="matter_list_export"),
    path("process/", public_pages.process, name="process"),
]
