"""The matter picker of /apply/ and of window registration: a bounded search for published matters.

People type part of a matter's name; they get at most ``PICKER_LIMIT`` live matters, grouped by unit,
each read as "事项名称 — 子项名称". Where two results would read the same, the unit, then the list
(区域·层级清单) and finally the matter's number are added, so no two options read the same. The
chosen matter is shown on its own by its full label (name, unit and list).

Cost does not grow with the catalogue's size beyond the search itself: the names are matched first
(name or sub-item containing every typed word or one of its synonyms, LIMIT ``PICKER_LIMIT`` + 1),
then the segmented search index (daiban.search) fills what is left; the rows and their lists are
read in two more queries for the page of results only.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr

from .ids import parse_pk
from .models import MatterListPage, MatterPage, RegionLevel, SearchSynonym, attach_lists
from .search import build_query, title_concepts

__all__ = [
    "PICKER_LIMIT",
    "MAX_QUERY_LENGTH",
    "PickerOption",
    "Found",
    "find_matters",
    "picker_option",
    "offered_matters",
]

PICKER_LIMIT = 30
MAX_QUERY_LENGTH = 50
DASH = " — "


@dataclass
class PickerOption:
    pk: int
    title: str
    sub_item_name: str
    unit_id: int
    unit_name: str
    list_name: str  # 资中县·县级清单
    label: str = ""  # unique among the options shown together

    @property
    def name(self):
        return f"{self.title}{DASH}{self.sub_item_name}" if self.sub_item_name else self.title

    @property
    def full_label(self):
        """The matter on its own: name, unit and list."""
        where = "，".join(part for part in (self.unit_name, self.list_name) if part)
        return f"{self.name}（{where}）" if where else self.name

    def as_json(self):
        return {"id": self.pk, "label": self.label, "full_label": self.full_label}


@dataclass
class Group:
    unit_name: str
    options: list = field(default_factory=list)

    def as_json(self):
        return {"unit": self.unit_name, "options": [option.as_json() for option in self.options]}


@dataclass
class Found:
    query: str
    groups: list
    count: int
    truncated: bool  # more matters match than are shown

    def as_json(self):
        return {
            "query": self.query,
            "count": self.count,
            "truncated": self.truncated,
            "groups": [group.as_json() for group in self.groups],
        }

    def ids(self):
        return {option.pk for group in self.groups for option in group.options}


def offered_matters():
    """The matters a person may choose: live, in a live list (one EXISTS on the list's path, no list of lists)."""
    parent_path = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * MatterPage.steplen)
    return MatterPage.objects.live().filter(Exists(MatterListPage.objects.live().filter(path=parent_path)))


def clean_query(text):
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def find_matters(text, *, limit=PICKER_LIMIT, exclude=()):
    """Live matters answering what people typed, at most `limit`, grouped by unit."""
    query = clean_query(text)
    if not query:
        return Found(query, [], 0, False)
    offered, live = offered_matters(), MatterPage.objects.live()  # the search backend filters on plain fields only
    if exclude:
        offered, live = offered.exclude(pk__in=list(exclude)), live.exclude(pk__in=list(exclude))
    synonyms = SearchSynonym.mapping()
    ids = _name_matches(offered, query, synonyms, limit + 1)
    if len(ids) <= limit:
        ids += _search_matches(live, query, synonyms, limit + 1 - len(ids), known=ids)
    truncated = len(ids) > limit
    options = _options(ids[:limit])
    return Found(query, _grouped(options), len(options), truncated)


def picker_option(pk):
    """The live matter with this id as an option (its full label), or None."""
    pk = parse_pk(pk)
    if pk is None:
        return None
    options = _options([pk])
    return options[0] if options else None


def _name_matches(live, query, synonyms, limit):
    concepts = title_concepts(query, synonyms)
    if not concepts:
        return []
    each = [
        reduce(or_, [Q(title__icontains=text) | Q(sub_item_name__icontains=text) for text in texts])
        for texts in concepts
    ]
    return list(live.filter(reduce(and_, each)).order_by("path").values_list("pk", flat=True)[:limit])


def _search_matches(live, query, synonyms, limit, known):
    search_query = build_query(query, synonyms=synonyms)
    if search_query is None or limit <= 0:
        return []
    seen = set(known)
    found = []
    # The known name matches are at most `limit` + 1 rows, so this page of search results is bounded too.
    for matter in live.search(search_query)[: limit + len(seen)]:
        if matter.pk not in seen:
            seen.add(matter.pk)
            found.append(matter.pk)
    return found[:limit]


def _options(ids):
    """PickerOptions for these ids, in this order (two queries: the rows with their unit, their lists)."""
    if not ids:
        return []
    rows = (
        offered_matters()
        .filter(pk__in=ids)
        .select_related("unit")
        .only("pk", "path", "title", "sub_item_name", "unit_id", "unit__name")
    )
    matters = {matter.pk: matter for matter in attach_lists(list(rows))}
    options = []
    for pk in ids:
        matter = matters.get(pk)
        if matter is None:
            continue
        options.append(
            PickerOption(
                pk=matter.pk,
                title=matter.title,
                sub_item_name=matter.sub_item_name,
                unit_id=matter.unit_id,
                unit_name=matter.unit.name,
                list_name=_list_name(matter.parent_list),
            )
        )
    _label(options)
    return options


def _list_name(matter_list):
    if matter_list is None:
        return ""
    level = RegionLevel(matter_list.level).label if matter_list.level in RegionLevel.values else ""
    return f"{matter_list.region.name}·{level}清单" if level else matter_list.title


QUALIFIERS = [
    lambda option: "",
    lambda option: option.unit_name,
    lambda option: f"{option.unit_name}，{option.list_name}",
    lambda option: f"{option.unit_name}，{option.list_name}，编号{option.pk}",
]


def _label(options):
    """Each option's label: its name, with as much of unit, list and number as makes it unique among them."""
    by_name = {}
    for option in options:
        by_name.setdefault(option.name, []).append(option)
    for same in by_name.values():
        for qualifier in QUALIFIERS:
            texts = [qualifier(option) for option in same]
            if len(set(texts)) == len(texts):
                break
        for option, text in zip(same, texts, strict=True):
            option.label = f"{option.name}（{text}）" if text else option.name


def _grouped(options):
    """Groups by unit, in the order their first matter was found; each group keeps its order."""
    groups = {}
    for option in options:
        groups.setdefault(option.unit_id, Group(option.unit_name)).options.append(option)
    return list(groups.values())
