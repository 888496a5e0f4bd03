"""The segmenter is loaded when the WSGI application starts, so the first search is as fast as the rest."""

import importlib
import time

import daiban.search


def test_the_wsgi_module_loads_jieba_at_start_up(monkeypatch):
    import portal.wsgi

    monkeypatch.setattr(daiban.search, "_tokenizer", None)
    importlib.reload(portal.wsgi)
    assert daiban.search._tokenizer is not None
    started = time.perf_counter()
    daiban.search.query_terms("住房公积金提取")
    assert time.perf_counter() - started < 0.2


def test_it_can_be_skipped(monkeypatch):
    import portal.wsgi

    monkeypatch.setattr(daiban.search, "_tokenizer", None)
    monkeypatch.setenv("DAIBAN_WARM_SEARCH", "0")
    importlib.reload(portal.wsgi)
    assert daiban.search._tokenizer is None
