"""Public catalogue views: a list's table and filters, its xlsx download, search and the index of lists."""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.encoding import escape_uri_path

from daiban.excel.matters import XLSX_CONTENT_TYPE, write_matter_workbook
from daiban.models import MatterListPage, MatterPage, RegionLevel, attach_lists
from daiban.search import build_query
from daiban.services.audit import EXPORT_MATTERS, log_export
from daiban.services.catalogue import export_rows

SEARCH_PAGE_SIZE = 20


def export_list(request, pk):
    """A published list as a 附件1 workbook."""
    list_page = get_object_or_404(MatterListPage.objects.live().specific(), pk=pk)
    rows = list(export_rows(list_page))
    log_export(EXPORT_MATTERS, rows=len(rows), filters={"list": list_page.title}, request=request, instance=list_page)
    content = write_matter_workbook(rows, scope=list_page.title)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = escape_uri_path(f"{list_page.title}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def catalogue_index(request):
    return render(request, "daiban/catalogue/index.html", {"groups": MatterListPage.live_by_level()})


class SearchForm(forms.Form):
    q = forms.CharField(label="搜索事项", max_length=100, required=False)
    level = forms.ChoiceField(label="清单层级", choices=[("", "全部层级"), *RegionLevel.choices], required=False)


def matters_of_level(queryset, level):
    return queryset.filter(id__in=MatterPage.objects.in_lists(MatterListPage.objects.filter(level=level)).values("id"))


def search(request):
    form = SearchForm(request.GET or None)
    context = {"form": form, "query": "", "results": None}
    if form.is_valid() and form.cleaned_data["q"].strip():
        query = form.cleaned_data["q"].strip()
        matters = MatterPage.objects.live().select_related("unit")
        if form.cleaned_data["level"]:
            matters = matters_of_level(matters, form.cleaned_data["level"])
        search_query = build_query(query)
        results = matters.search(search_query) if search_query is not None else MatterPage.objects.none()
        page = paginate(request, results)
        attach_lists(page.object_list)
        context.update(query=query, results=page, level=form.cleaned_data["level"])
    return render(request, "daiban/search.html", context)


def paginate(request, results):
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    page.object_list = list(page.object_list)
    return page
