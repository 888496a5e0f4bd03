"""Chinese word segmentation for Wagtail search, on SQLite and PostgreSQL alike.

Both database backends split text on spaces and punctuation only, so a run of Chinese
characters would be one single token. We segment with jieba instead:

- at index time, :func:`index_text` turns a text into space-separated words (jieba's
  ``cut_for_search`` plus the longer dictionary words inside each word), and models
  expose it as a search field (see ``MatterPage.search_text``);
- at query time, :func:`build_query` segments what people typed the same way and asks
  for every word.

``SearchBackend`` is the database backend with query segmentation added, so that the
admin's own page search (which we cannot otherwise hook) segments its queries too. It is
enabled in ``WAGTAILSEARCH_BACKENDS``.
"""

import json
import logging
import os
import re
import tempfile
import threading

from wagtail.search.query import And, Or, PlainText

WORD = re.compile(r"\w", re.UNICODE)
EXPANSION_SEPARATORS = re.compile(r"[\n/／、，,;；|]+")
SQUEEZE = re.compile(r"\s+")
UNSAFE = re.compile(r"[\"'*:&|!()<>^]")

# Words of the catalogue that jieba's general dictionary splits badly.
DOMAIN_WORDS = [
    "帮办",
    "代办",
    "即办",
    "公积金",
    "住房公积金",
    "不动产",
    "医保",
    "社保",
    "报装",
    "过户",
    "一件事",
    "一次办",
    "告知承诺",
    "水电气信",
]

_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """jieba's tokenizer, initialised once, quietly, with its cache in a writable place."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _make_tokenizer()
    return _tokenizer


def _make_tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cache_dir = os.environ.get("JIEBA_CACHE_DIR") or tempfile.gettempdir()
    t = jieba.Tokenizer()
    t.tmp_dir = cache_dir
    t.cache_file = f"jieba-daiban-{os.getuid() if hasattr(os, 'getuid') else 'user'}.cache"
    t.initialize()
    for word in DOMAIN_WORDS:
        t.add_word(word)
    return t


def _is_word(token):
    return bool(WORD.search(token))


def _clean(token):
    return UNSAFE.sub("", token.strip().lower())


def _inner_words(word, dictionary):
    """Dictionary words of 4 or more characters inside a word (cut_for_search stops at 3)."""
    for size in range(4, len(word)):
        for start in range(len(word) - size + 1):
            gram = word[start : start + size]
            if dictionary.get(gram):
                yield gram


def index_terms(text):
    """The words to index for a text, in order, without repeats."""
    t = tokenizer()
    terms = []
    for word in t.cut(text or "", HMM=False):
        if not _is_word(word):
            continue
        terms.extend(t.cut_for_search(word, HMM=False))
        terms.extend(_inner_words(word, t.FREQ))
    return _unique(_clean(term) for term in terms if _is_word(term))


def query_terms(text):
    """The words every result must contain: what people typed, segmented for search."""
    t = tokenizer()
    return _unique(_clean(term) for term in t.cut_for_search(text or "", HMM=False) if _is_word(term))


def _unique(terms):
    seen = []
    for term in terms:
        if term and term not in seen:
            seen.append(term)
    return seen


def index_text(*texts):
    """Space-joined index terms of several texts: the value of a segmented search field."""
    return " ".join(index_terms(" ".join(text for text in texts if text)))


def parse_expansions(text):
    """The words of a synonym's expansions: one a line, or separated by / 、 , ;."""
    return _unique(word.strip().lower() for word in EXPANSION_SEPARATORS.split(text or ""))


def _tidy(text):
    return SQUEEZE.sub(" ", UNSAFE.sub(" ", text or "")).strip()


def build_query(text, operator="and", synonyms=None):
    """A Wagtail query for what people typed, or None when there is nothing to search for.

    The words must all be there (segmented); the text as typed still matches records that
    are indexed unsegmented (so nothing that was found before is lost).

    `synonyms` ({term: [expansions]}, see daiban.models.SearchSynonym) widen a typed word, or a
    segmented word of it, to "the word or any of its expansions" (社保 → 社保 or 社会保险).
    """
    text = _tidy(text)
    terms = query_terms(text)
    if not terms:
        return None
    if synonyms:
        widened = _with_synonyms(text, synonyms)
        if widened is not None:
            return widened
    segmented = PlainText(" ".join(terms), operator=operator)
    if text.lower() == " ".join(terms):
        return segmented
    return Or([PlainText(text, operator=operator), segmented])


def _segmented(text):
    terms = query_terms(text)
    return PlainText(" ".join(terms), operator="and") if terms else None


def _either(queries):
    queries = [query for query in queries if query is not None]
    return queries[0] if len(queries) == 1 else Or(queries)


def _widening(word, synonyms):
    """The expansions of `word` that can find more: one containing the word finds nothing the word does not."""
    return [expansion for expansion in synonyms.get(word, ()) if word not in expansion]


def _with_synonyms(text, synonyms):
    """Every typed word is required; a word with synonyms may be found as any of them. None if none apply.

    A typed word that is no term itself is split into its main words (jieba's cut), and those are looked up.
    """
    parts, widened = [], False
    for word in text.lower().split(" "):
        pieces = (
            [word] if word in synonyms else [piece for piece in tokenizer().cut(word, HMM=False) if _is_word(piece)]
        )
        for piece in pieces:
            wider = _widening(_clean(piece), synonyms)
            widened = widened or bool(wider)
            parts.append(_either([_segmented(piece), *map(_segmented, wider)]))
    if not widened:
        return None
    parts = [part for part in parts if part is not None]
    return parts[0] if len(parts) == 1 else And(parts)


def title_concepts(text, synonyms=None):
    """For each typed word, the texts whose presence in a matter's name means the name answers it.

    The word itself and its synonyms' expansions; used to rank name matches above body-text matches.
    """
    synonyms = synonyms or {}
    concepts = []
    for word in _tidy(text).lower().split(" "):
        if not word or not _is_word(word):
            continue
        concepts.append(_unique([word, *synonyms.get(word, [])]))
    return concepts


class SegmentingBackendMixin:
    """Segment plain-text queries before the database backend sees them."""

    def search(self, query, model_or_queryset, **kwargs):
        return super().search(self._segment(query, kwargs.get("operator")), model_or_queryset, **kwargs)

    def autocomplete(self, query, model_or_queryset, **kwargs):
        return super().autocomplete(self._segment(query, kwargs.get("operator")), model_or_queryset, **kwargs)

    def _segment(self, query, operator):
        if isinstance(query, PlainText):
            operator, query = query.operator, query.query_string
        if not isinstance(query, str):
            return query
        return build_query(query, operator or "and") or query


_backend_classes = {}
_sqlite_results_class = None


def SearchBackend(params):
    """Wagtail's database backend for the current database, with Chinese query segmentation."""
    from wagtail.search.backends.database import SearchBackend as database_backend

    cls = type(database_backend(params))
    if cls not in _backend_classes:
        extra = {}
        if cls.__name__ == "SQLiteSearchBackend":
            extra["results_class"] = sqlite_results_class()
        _backend_classes[cls] = type(f"Segmenting{cls.__name__}", (SegmentingBackendMixin, cls), extra)
    return _backend_classes[cls](params)


def sqlite_results_class():
    """SQLite's search results, ranked in one pass over the full-text index instead of once per result.

    modelsearch's SQLite backend orders by a score subquery correlated to each result: SQLite runs the
    full-text match again for every matching row, so a search costs (matches)² — 1.5 s at 3,000 matters.
    Here the match runs once, for the scores, and one more query keeps the ids that pass the queryset's filters; the
    results are ordered (score, then newest first, as modelsearch orders them) in Python and only the
    page asked for is read. Queries that are not a plain relevance-ordered search are left to modelsearch.
    """
    global _sqlite_results_class
    if _sqlite_results_class is None:
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchResults

        _sqlite_results_class = type("RankedOnceSQLiteSearchResults", (RankedOnceMixin, SQLiteSearchResults), {})
    return _sqlite_results_class


class RankedOnceMixin:
    def _ranking(self):
        """(pks in relevance order, {pk: score}), or None when modelsearch should answer; shared by slices."""
        compiler = self.query_compiler
        if not hasattr(compiler, "_daiban_ranking"):
            compiler._daiban_ranking = _rank(compiler, compiler.get_config(self.backend))
        return compiler._daiban_ranking

    def _do_search(self):
        ranking = self._ranking()
        if ranking is None:
            return super()._do_search()
        ranked, scores = ranking
        wanted = ranked[self.start : self.stop]
        found = self.query_compiler.queryset.in_bulk(wanted)
        results = [found[pk] for pk in wanted if pk in found]
        if self._score_field:
            for result in results:
                setattr(result, self._score_field, scores[result.pk])
        return results

    def _do_count(self):
        ranking = self._ranking()
        if ranking is None:
            return super()._do_count()
        return len(ranking[0][self.start : self.stop])


def _rank(compiler, config):
    from django.db.models import ExpressionWrapper, F, IntegerField
    from django.db.models.expressions import RawSQL
    from modelsearch.backends.database.sqlite import sqlite as fts

    pk = compiler.queryset.model._meta.pk
    if not isinstance(pk.target_field if pk.is_relation else pk, IntegerField):
        return None  # ids are compared as integers below
    query = fts.normalize(compiler.query)
    if isinstance(query, fts.MatchAll | fts.Not) or not compiler.order_by_relevance:
        return None
    search_query = compiler.build_search_query(query, config=config)
    match = fts.MatchExpression(compiler.fields or compiler.FTS_TABLE_FIELDS, search_query)
    # The content type is compared as `content_type_id + 0`: with its index usable, SQLite walks every
    # index entry of the type and probes the full-text match for each (matters × matches); without it,
    # SQLite reads the matches and joins each to its entry by primary key.
    matches = (
        fts.SQLiteFTSIndexEntry.objects.filter(match)
        .select_related("index_entry")
        .alias(entry_type=ExpressionWrapper(F("index_entry__content_type_id") + 0, output_field=IntegerField()))
        .filter(entry_type__in=fts.get_descendants_content_types_pks(compiler.queryset.model))
    )
    scored = matches.annotate(score=compiler._build_rank_expression(compiler.get_search_vectors(), config))
    scores = {}
    for object_id, score in scored.values_list("index_entry__object_id", "score"):
        scores.setdefault(int(object_id), score)
    # Which of them pass the queryset's own filters: the ids as one JSON parameter, read by json_each.
    ids = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(scores))])
    passing = set(compiler.queryset.filter(pk__in=ids).order_by().values_list("pk", flat=True))
    scores = {pk: score for pk, score in scores.items() if pk in passing}
    return sorted(scores, key=lambda pk: (scores[pk], -pk)), scores
