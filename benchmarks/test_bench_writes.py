"""Write paths beside their floors, in the same run: a county's 附件1 import and its dry run.

- import: `manage.py import_matters` of 1,000 rows (BENCH_MATTER_ROWS) into a catalogue that already has
  as many pages; the floor is bare Wagtail, `add_child` + `save_revision().publish()` of the same pages
  (no parsing, no plan, no index batching, no audit).
- dry run: `import_matters --dry-run`; the floor is openpyxl's read_only parse of the same file.

Goals (issue 16, on the two-core machine): the import ≤ 1.5× its floor and under 30 s for 1,000 rows,
with each page indexed once; the dry run ≤ 3× the parse floor. SLACK leaves room for a loaded machine.
"""

import io
import os
import time
import tracemalloc

import pytest
from django.core.management import call_command
from django.db import connection
from openpyxl import load_workbook

from benchmarks.conftest import SCALE
from daiban.models import MatterPage
from daiban.services import indexing
from tests.factories import UnitFactory, county, matter_list
from tests.matters_xlsx import workbook_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = int(os.environ.get("BENCH_MATTER_ROWS", "1000"))
UNITS = [f"资中县第{n}局" for n in range(20)]
SLACK = 1.2


def rows(prefix):
    return [
        [n, UNITS[n % len(UNITS)], f"{prefix}事项{n}", "", "公共服务", "社会保险类", "5个工作日", "帮办", None]
        for n in range(1, ROWS + 1)
    ]


def timed(fn, *, memory=False):
    """Seconds and queries of one call; peak Python memory only when asked (tracemalloc slows the call)."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = fn()
    elapsed = time.perf_counter() - started
    peak = 0.0
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return elapsed, len(queries), peak, result


def bare_wagtail_pages(list_page, prefix):
    unit = UnitFactory(name="资中县地板局", region=list_page.region)
    for n in range(1, ROWS + 1):
        page = MatterPage(title=f"{prefix}事项{n}", slug=f"floor-{prefix}-{n}", unit=unit, live=False)
        list_page.add_child(instance=page)
        page.save_revision().publish()


def index_writes(monkeypatch):
    """Every page the search index is written for during the import: per save, and in bulk."""
    writes = {"per save": [], "bulk": []}
    per_save, bulk = indexing._index_on_save, indexing.index_now

    def on_save(instance, **kwargs):
        if isinstance(instance, MatterPage):
            writes["per save"].append(instance.pk)
        per_save(instance, **kwargs)

    def in_bulk(pending):
        writes["bulk"].extend(pk for model, pks in pending.items() if issubclass(model, MatterPage) for pk in pks)
        bulk(pending)

    monkeypatch.setattr(indexing, "_index_on_save", on_save)
    monkeypatch.setattr(indexing, "index_now", in_bulk)
    return writes


def test_matter_import_beside_bare_wagtail(tmp_path, monkeypatch):
    region = county("资中县")
    for name in UNITS:
        UnitFactory(name=name, region=region)
    path = tmp_path / "附件1.xlsx"
    path.write_bytes(workbook_bytes(rows("首批")))

    def run(*args):
        call_command("import_matters", str(path), "--region", "资中县", "--level", "县级", *args, stdout=io.StringIO())

    run()  # a catalogue of ROWS pages already there: the second file adds as many again
    path.write_bytes(workbook_bytes(rows("次批")))

    dry, dry_queries, _, _ = timed(lambda: run("--dry-run"))
    _, _, dry_peak, _ = timed(lambda: run("--dry-run"), memory=True)
    parse, _, _, _ = timed(lambda: list(load_workbook(path, read_only=True).active.iter_rows(values_only=True)))
    writes = index_writes(monkeypatch)
    project, queries, peak, _ = timed(run)
    monkeypatch.undo()
    floor_list = matter_list(region=region, title="地板清单")
    floor, floor_queries, _, _ = timed(lambda: bare_wagtail_pages(floor_list, "地板"))

    SCALE.append((f"import_matters {ROWS} rows", f"{ROWS:,} matters", project, floor, queries, peak, ""))
    SCALE.append((f"import_matters --dry-run {ROWS} rows", f"{ROWS:,} matters", dry, parse, dry_queries, dry_peak, ""))
    new_pages = set(MatterPage.objects.filter(title__startswith="次批").values_list("pk", flat=True))
    assert len(new_pages) == ROWS
    # The search index is written once per page, in bulk after the commit, never on each save.
    assert writes["per save"] == [] and sorted(writes["bulk"]) == sorted(new_pages)
    assert project < 30, f"导入{ROWS}行用时 {project:.1f} 秒"
    assert project <= 1.5 * SLACK * floor, f"导入 {project:.1f} 秒，裸 Wagtail {floor:.1f} 秒"
    assert dry <= 3 * SLACK * parse, f"试运行 {dry:.2f} 秒，解析 {parse:.2f} 秒"
