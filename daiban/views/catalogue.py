"""Public catalogue views: a list's table and filters, its xlsx download, search and the index of lists."""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.encoding import escape_uri_path

from daiban.excel.matters import XLSX_CONTENT_TYPE, write_matter_workbook
from daiban.models import MatterListPage, MatterPage, RegionLevel, SearchSynonym, attach_lists
from daiban.search import build_query, title_concepts
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
        synonyms = SearchSynonym.mapping()
        search_query = build_query(query, synonyms=synonyms)
        if search_query is None:
            results = MatterPage.objects.none()
        else:
            results = name_matches_first(matters, search_query, title_concepts(query, synonyms))
        page = paginate(request, results)
        attach_lists(page.object_list)
        context.update(query=query, results=page, level=form.cleaned_data["level"])
    return render(request, "daiban/search.html", context)


def name_matches_first(matters, search_query, concepts):
    """The search's results with the matters whose name answers every typed word first.

    A name answers a word when it (or the sub-item's name) contains the word or one of its synonyms'
    expansions; within each group the search backend's relevance order is kept. Both groups are
    lazy search results, so a page reads only its own rows.
    """
    if not concepts:
        return matters.search(search_query)
    named = Q()
    for texts in concepts:
        either = Q()
        for text in texts:
            either |= Q(title__icontains=text) | Q(sub_item_name__icontains=text)
        named &= either
    ids = list(matters.filter(named).values_list("id", flat=True))
    if not ids:
        return matters.search(search_query)
    return Chained(matters.filter(id__in=ids).search(search_query), matters.exclude(id__in=ids).search(search_query))


class Chained:
    """Two result sets read as one, for the paginator: count() and slicing."""

    def __init__(self, first, second):
        self.first, self.second = first, second
        self._counts = None

    def counts(self):
        if self._counts is None:
            self._counts = (self.first.count(), self.second.count())
        return self._counts

    def count(self):
        return sum(self.counts())

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        head = self.counts()[0]
        items = list(self.first[start : min(stop, head)]) if start < head else []
        if stop > head:
            items += list(self.second[max(start - head, 0) : stop - head])
        return items


def paginate(request, results):
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    page.object_list = list(page.object_list)
    return page
