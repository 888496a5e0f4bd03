"""Public catalogue views: a list's table and filters, its xlsx download, search and the index of lists."""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.encoding import escape_uri_path
from django_tables2 import RequestConfig

from daiban.audit import EXPORT_MATTERS, log_export
from daiban.excel.matters import XLSX_CONTENT_TYPE, write_matter_workbook
from daiban.filters import MatterFilter
from daiban.models import MatterListPage, MatterPage, RegionLevel, attach_lists
from daiban.search import build_query
from daiban.services.catalogue import export_rows
from daiban.tables import MatterTable

SEARCH_PAGE_SIZE = 20
LEVEL_ORDER = [RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWN, RegionLevel.VILLAGE]


def matter_list_context(request, list_page):
    """The filter form and the sortable, paginated table of a list page."""
    filterset = MatterFilter(request.GET or None, queryset=list_page.matters())
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    table = MatterTable(queryset)
    RequestConfig(request, paginate={"per_page": MatterTable._meta.per_page}).configure(table)
    export_url = list_page.get_url(request) + list_page.reverse_subpage("export_route")
    return {"filter": filterset, "table": table, "export_url": export_url}


def export_list(request, list_page):
    """The list as a 附件1 workbook."""
    rows = list(export_rows(list_page))
    log_export(EXPORT_MATTERS, rows=len(rows), filters={"list": list_page.title}, request=request, instance=list_page)
    content = write_matter_workbook(rows, title=list_page.title)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = escape_uri_path(f"{list_page.title}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def lists_by_level():
    """Published lists grouped by level, city first: [(label, [list, …]), …]."""
    lists = MatterListPage.objects.live().select_related("region").order_by("region__path")
    groups = {level: [] for level in LEVEL_ORDER}
    for matter_list in lists:
        groups[matter_list.level].append(matter_list)
    return [(RegionLevel(level).label, groups[level]) for level in LEVEL_ORDER if groups[level]]


def catalogue_index(request):
    return render(request, "daiban/catalogue/index.html", {"groups": lists_by_level()})


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
