"""Search index updates in batches, for work that saves many pages at once (the 附件1 import).

Wagtail indexes a page on every save: an import row saves its page three times (add_child,
save_revision, publish), and each index write makes the database backend recompute the title
statistics of the whole index. Inside `batched_index()` saves are only noted; when the block's
transaction commits, each model's pages are indexed in one bulk write per backend.

Outside the block nothing changes: `connect()` (from AppConfig.ready) puts this module's handler
where the search app's `post_save` handler goes, and it hands every other save straight to that one.
The batch is per thread and per task (a context variable), so other requests keep indexing as usual.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_save
from modelsearch import index
from modelsearch import signal_handlers as search_signals

__all__ = ["batched_index", "connect", "index_now"]

_batch = ContextVar("daiban_index_batch", default=None)
_index_on_save = search_signals.post_save_signal_handler


def post_save_handler(instance, **kwargs):
    pending = _batch.get()
    if pending is None or kwargs.get("raw", False):
        _index_on_save(instance, **kwargs)
        return
    pending[type(instance)].add(instance.pk)


def connect():
    # The search app connects its handler in its own ready(), which runs after ours (INSTALLED_APPS
    # order): it finds ours under the same name. Handlers connected already are swapped.
    search_signals.post_save_signal_handler = post_save_handler
    for model in index.get_indexed_models():
        if post_save.disconnect(_index_on_save, sender=model):
            post_save.connect(post_save_handler, sender=model)


@contextmanager
def batched_index():
    """Index what the block saves once per page, after its transaction commits (nothing on rollback)."""
    if _batch.get() is not None:  # already batching: the outer block indexes
        yield
        return
    pending = defaultdict(set)
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    transaction.on_commit(lambda: index_now(pending))


def index_now(pending):
    """Write the index entries of {model: {pk, …}} in one bulk add per model and backend."""
    for model, pks in pending.items():
        objects = [
            indexed
            for obj in model.get_indexed_objects().filter(pk__in=pks)
            if (indexed := index.get_indexed_instance(obj, check_exists=False)) is not None
        ]
        if not objects:
            continue
        for _name, backend in index.get_search_backends_with_name(with_auto_update=True):
            backend.add_bulk(model, objects)
