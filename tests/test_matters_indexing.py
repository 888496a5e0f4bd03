"""The 附件1 import indexes each page once, in bulk, after its transaction commits."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError
from modelsearch.backends.base import BaseSearchBackend
from wagtail.search.models import IndexEntry

from daiban.models import MatterPage
from tests.factories import UnitFactory, county
from tests.matters_xlsx import workbook_bytes
from tests.test_matters_excel import import_file, write

pytestmark = pytest.mark.django_db

UNIT = "资中县医疗保障局"


@pytest.fixture
def zizhong():
    region = county("资中县")
    UnitFactory(name=UNIT, region=region)
    return region


def rows(count, word="医保"):
    return [
        [n, UNIT, f"{word}事项第{n}项", "", "公共服务", "医疗保障类", "5个工作日", "帮办", None]
        for n in range(1, count + 1)
    ]


@pytest.fixture
def index_writes(monkeypatch):
    """Every call that writes index entries: (model name, number of objects)."""
    calls = []
    add, add_bulk = BaseSearchBackend.add, BaseSearchBackend.add_bulk

    def counted_add(self, obj):
        calls.append((type(obj).__name__, 1))
        return add(self, obj)

    def counted_bulk(self, model, objs):
        calls.append((model.__name__, len(objs)))
        return add_bulk(self, model, objs)

    monkeypatch.setattr(BaseSearchBackend, "add", counted_add)
    monkeypatch.setattr(BaseSearchBackend, "add_bulk", counted_bulk)
    return calls


def test_each_imported_page_is_indexed_once_in_one_bulk_write(
    zizhong, tmp_path, index_writes, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(write(tmp_path, workbook_bytes(rows(30))))

    matters = [(model, count) for model, count in index_writes if model == "MatterPage"]
    assert matters == [("MatterPage", 30)]
    pks = MatterPage.objects.filter(title__startswith="医保事项").values_list("pk", flat=True)
    # Ids alone also match other models' entries (a region with the same id): the pages' own entries.
    entries = IndexEntry.objects.filter(
        object_id__in=[str(pk) for pk in pks], content_type=ContentType.objects.get_for_model(MatterPage)
    )
    assert entries.count() == 30
    response = client.get("/search/", {"q": "医保事项第17项"})
    assert "医保事项第17项" in response.content.decode()


def test_a_refused_import_indexes_nothing(zizhong, tmp_path, index_writes, django_capture_on_commit_callbacks):
    bad = rows(5) + [[6, UNIT, "", "", "公共服务", "医疗保障类", "5个工作日", "帮办", None]]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        import_file(write(tmp_path, workbook_bytes(bad)))
    assert index_writes == []
    assert not MatterPage.objects.filter(title__startswith="医保事项").exists()


def test_a_page_saved_outside_an_import_is_still_indexed_on_save(zizhong, index_writes):
    page = MatterPage.objects.first()
    if page is None:
        from tests.factories import matter

        page = matter(title="单独保存的事项")
    index_writes.clear()
    page.save_revision().publish()
    assert any(model == "MatterPage" for model, _count in index_writes)
