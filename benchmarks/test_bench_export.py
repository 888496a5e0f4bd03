"""附件4 export beside its floor, in CPU time, with its memory at N and 5N cases.

The project: `write_ledger(ledger_cases(), …)`, the form as the policy prints it (title, merged
headers, borders, row heights, footnotes) with each case's flows, evaluation and import record.
The floor: a raw openpyxl `write_only` workbook of the same rows: the same cases read by one
`values_list()` query (flows and evaluation joined; the bench data has one flow per open case),
each row appended as plain values, no styles.

Sizes: 4,000 and 20,000 cases by default, to keep `make bench` short; the goal's sizes are
BENCH_EXPORT_SIZES=20000,100000 (about ten minutes on the two-core machine). The goal is
measured at the largest size; memory (tracemalloc peak) must stay flat from the smallest to the largest.
Goals (issue 16): ≤ 1.2× the floor in CPU; peak memory at 5N ≤ 1.5× that at N (flat, not linear).
"""

import datetime
import io
import os
import tempfile
import time
import tracemalloc

import pytest
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

from benchmarks.casedata import insert_cases, organisation
from benchmarks.conftest import SCALE
from daiban.excel.ledger import ledger_cases, write_ledger
from daiban.models import Case

pytestmark = pytest.mark.django_db

SLACK = 1.1
COLUMNS = (
    "submitted_at",
    "applicant_name",
    "contact_phone",
    "matter_text",
    "flows__unit__name",
    "flows__accepted_on",
    "flows__completed_on",
    "delivered_at",
    "evaluation__level",
    "status",
)


def sizes():
    return [int(n) for n in os.environ.get("BENCH_EXPORT_SIZES", "4000,20000").split(",")]


def raw_workbook(target):
    """The floor: the same rows by values_list(), appended as plain values to a write_only sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    rows = Case.objects.filter(accepted_at__isnull=False).order_by("accepted_at", "pk").values_list(*COLUMNS)
    for serial, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        sheet.append(
            [serial, *(value.replace(tzinfo=None) if isinstance(value, datetime.datetime) else value for value in row)]
        )
    workbook.save(target)


def project(target):
    write_ledger(ledger_cases(), target)


def cpu(fn):
    """CPU seconds of this process (the database's own work on PostgreSQL is not counted, on both sides)."""
    started = time.process_time()
    fn(io.BytesIO())
    return time.process_time() - started


def counting(queries):
    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return count


def peak_of(fn):
    """Peak Python memory of an export to a temporary file, as the export job writes it (an in-memory
    target would count the finished workbook, which grows with the rows by nature)."""
    tracemalloc.start()
    with tempfile.TemporaryFile() as target:
        fn(target)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def test_ledger_export_beside_raw_workbook():
    windows = organisation()
    end = timezone.now()
    start = end - datetime.timedelta(days=365)
    written, peaks, previous, ratio = 0, [], None, None
    for number, size in enumerate(sizes()):
        insert_cases(windows, size - written, start, end, prefix=f"E{number}")
        written = size
        queries = []
        with connection.execute_wrapper(counting(queries)):
            project_cpu = cpu(project)
        floor_cpu = cpu(raw_workbook)
        peak = peak_of(project)
        peaks.append(peak)
        growth = f"{project_cpu / previous:.2f}×" if previous else ""
        previous = project_cpu
        ratio = project_cpu / floor_cpu
        SCALE.append(("附件4 export (CPU s)", f"{size:,}", project_cpu, floor_cpu, len(queries), peak, growth))
    assert ratio <= 1.2 * SLACK, f"附件4 导出 CPU 为裸 write_only 的 {ratio:.2f} 倍（目标 ≤ 1.2）"
    assert peaks[-1] <= 1.5 * peaks[0], f"内存随行数增长：{peaks[0]:.1f} MiB → {peaks[-1]:.1f} MiB"
