"""Hostile and damaged workbooks: every import refuses them with a Chinese message and changes nothing;
through the admin, each upload is read by a background job that ends as failed with that message.

The files are made here from a valid workbook: a sheet whose XML is cut off, and a sheet that carries a
"billion laughs" entity bomb (defusedxml refuses entity declarations before anything is expanded).
"""

import io
import resource
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from daiban.models import BackgroundJob, Case, JobStatus, Liaison, MatterPage, Unit
from tests.factories import county
from tests.hostile_workbooks import row_bomb, unpacked_size
from tests.ledger_files import HEADER, MATTER, UNIT
from tests.results_setup import window

pytestmark = pytest.mark.django_db

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def workbook_with_sheet(sheet_xml):
    """A real xlsx whose first sheet's XML is replaced by `sheet_xml`."""
    book = Workbook()
    book.active.append(["序号", "单位", "事项名称"])
    source = io.BytesIO()
    book.save(source)
    target = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as damaged:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml(data)
            damaged.writestr(item, data)
    return target.getvalue()


HOSTILE = {
    "cut-off XML": lambda: workbook_with_sheet(lambda data: data[: len(data) // 2]),
    "billion laughs": lambda: workbook_with_sheet(BOMB),
}


def run(tmp_path, content, *command):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(content)
    errors = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(*command[:1], str(path), *command[1:], stderr=errors, stdout=io.StringIO())
    return str(refused.value) + errors.getvalue()


def counts():
    return (MatterPage.objects.count(), Liaison.objects.count(), Unit.objects.count(), Case.objects.count())


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_import_refuses_a_damaged_or_hostile_workbook_and_changes_nothing(tmp_path, kind):
    county("资中县")
    unit, _centre = window()
    before = counts()
    content = HOSTILE[kind]()
    for command in (
        ("import_matters", "--region", "资中县", "--level", "县级"),
        ("import_liaisons",),
        ("import_ledger", "--unit", unit.name),
    ):
        message = run(tmp_path, content, *command)
        assert "损坏" in message or "无法读取" in message, (kind, command, message)
    assert counts() == before


# --- zip bombs, the row cap and external links -------------------------------------------------

LEDGER_HEADER = [HEADER, [None] * 5 + ["受理日期", "办结日期"] + [None] * 3]
LEDGER_ROW = [1, "2025-10-09", "张三 13800001111", MATTER, "李窗口", f"{UNIT}：2025-10-09", f"{UNIT}：2025-10-12"]
LIAISON_HEADER = [["地区", "单位名称", "姓名", "职务", "联系电话"]]
LIAISON_ROW = ["资中县", "资中县人社局", "张三", "科员", "13800001111"]
MATTER_HEADER = [["序号", "单位", "事项名称", "子项名称", "承诺时限"]]
MATTER_ROW = ["1", "资中县人社局", "养老保险关系转移", "", "5个工作日"]

COMMANDS = {
    "matters": (("import_matters", "--region", "资中县", "--level", "县级"), MATTER_HEADER, MATTER_ROW),
    "liaisons": (("import_liaisons",), LIAISON_HEADER, LIAISON_ROW),
    "ledger": (("import_ledger", "--unit", "UNIT"), LEDGER_HEADER, LEDGER_ROW),
}


def command_for(kind, unit):
    command, header, row = COMMANDS[kind]
    return tuple(unit.name if part == "UNIT" else part for part in command), header, row


def external_link_workbook():
    """A valid workbook carrying an externalLink part (a formula pointing into another file)."""
    content = workbook_with_sheet(lambda data: data)
    target = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as original, zipfile.ZipFile(target, "w") as linked:
        for item in original.infolist():
            linked.writestr(item, original.read(item.filename))
        linked.writestr(
            "xl/externalLinks/externalLink1.xml",
            '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
            "</externalLink>",
        )
    return target.getvalue()


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_every_import_refuses_one_row_over_the_cap_and_changes_nothing(tmp_path, settings, kind):
    county("资中县")
    unit, _centre = window()
    settings.IMPORT_MAX_ROWS = {**settings.IMPORT_MAX_ROWS, kind: 50}
    command, header, row = command_for(kind, unit)
    before = counts()
    message = run(tmp_path, row_bomb(header, row, 51), *command)
    assert "超过50行的上限" in message, message
    assert counts() == before


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_every_import_refuses_a_zip_bomb_and_an_external_link_and_changes_nothing(tmp_path, kind):
    county("资中县")
    unit, _centre = window()
    command, header, row = command_for(kind, unit)
    before = counts()
    bomb = row_bomb(header, row, 300_000)
    assert len(bomb) < 2_000_000 and unpacked_size(bomb) > 50_000_000
    message = run(tmp_path, bomb, *command)
    assert "上限" in message or "解压后过大" in message, message
    message = run(tmp_path, external_link_workbook(), *command)
    assert "外部链接" in message, message
    assert counts() == before


def test_a_ledger_unpacking_to_a_million_rows_is_refused_quickly_under_200_mb(tmp_path):
    unit, _centre = window()
    bomb = row_bomb(LEDGER_HEADER, LEDGER_ROW, 1_000_000)
    assert len(bomb) < 5_000_000 and unpacked_size(bomb) > 300_000_000
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    del bomb
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # KiB on Linux; seconds
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(path), "--unit", unit.name, stderr=errors)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    grown = usage.ru_maxrss - before
    # CPU time, not wall time: a busy machine (other test workers) must not fail the test.
    seconds = usage.ru_utime + usage.ru_stime - cpu_before
    print(f"zip bomb refused in {seconds:.1f} s of CPU; peak memory grew by {grown / 1024:.0f} MiB")
    assert "超过100000行的上限" in errors.getvalue()
    assert grown < 200 * 1024 and seconds < 120
    assert Case.objects.count() == 0


# --- the same refusals through the admin pages --------------------------------------------------


def post_upload(client, kind, unit, region, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("hostile.xlsx", content)
    if kind == "ledger":
        return client.post(reverse("reports:ledger_import"), {"unit": unit.pk, "file": file}, follow=True)
    if kind == "liaisons":
        return client.post(reverse(Liaison.snippet_viewset.get_url_name("import")), {"file": file}, follow=True)
    data = {"file": file, "region": region.pk, "level": "county"}
    return client.post(reverse("daiban_catalogue:import"), data, follow=True)


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_every_web_import_refuses_hostile_files_with_a_chinese_message_and_changes_nothing(client, settings, kind):
    from tests.factories import UserFactory

    region = county("资中县")
    unit, _centre = window()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    settings.IMPORT_MAX_ROWS = {**settings.IMPORT_MAX_ROWS, kind: 50}
    _command, header, row = command_for(kind, unit)
    before = counts()
    files = {
        "上限": row_bomb(header, row, 51),
        "解压后过大": row_bomb(header, row, 300_000),
        "外部链接": external_link_workbook(),
        "损坏": HOSTILE["billion laughs"](),
    }
    for expected, content in files.items():
        response = post_upload(client, kind, unit, region, content)
        page = response.content.decode()
        if expected == "解压后过大" and kind != "matters":
            expected = "上限"  # streamed sheets stop at the row cap
        assert expected in page, (kind, expected)
        # Through a background job: the upload, its progress page, then its (failed) result page.
        job = BackgroundJob.objects.latest("pk")
        assert response.redirect_chain[0][0] == reverse("jobs:progress", args=[job.pk]), (kind, expected)
        assert job.status == JobStatus.FAILED and expected in " ".join(job.result["errors"]), (kind, expected)
    assert counts() == before and BackgroundJob.objects.filter(status=JobStatus.DONE).count() == 0


def test_formulas_in_an_uploaded_ledger_stay_text_and_the_export_keeps_the_formula_guard(tmp_path):
    """Text typed as a formula is imported as text; a real formula cell is never evaluated (openpyxl reads
    its cached value, here none, so the row is refused); the export prefixes formula-like text with '."""
    from openpyxl import load_workbook

    from tests.ledger_files import quirky_ledger

    unit, _centre = window()
    attack = '=HYPERLINK("http://evil.example/","点我")'
    row = [1, "2025-10-09", f"{attack} 13800001111", MATTER, "李窗口", None, None, "2025-10-13", "满意", "=1+1"]
    real_formula = tmp_path / "real-formula.xlsx"
    real_formula.write_bytes(quirky_ledger([tuple(row)]).getvalue())  # openpyxl stores "=…" as a formula
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ledger", str(real_formula), "--unit", unit.name, stderr=errors)
    assert "缺少申请人姓名" in errors.getvalue() and Case.objects.count() == 0

    path = tmp_path / "formula-text.xlsx"
    path.write_bytes(row_bomb(LEDGER_HEADER, row, 1))  # inline strings: text, not formulas
    call_command("import_ledger", str(path), "--unit", unit.name, stdout=io.StringIO())
    case = Case.objects.get()
    assert case.applicant_name.startswith("=HYPERLINK") and case.description == "=1+1"
    out = tmp_path / "export.xlsx"
    call_command("export_ledger", "--out", str(out), stdout=io.StringIO())
    cells = [cell.value for line in load_workbook(out).active.iter_rows() for cell in line if cell.value]
    assert any(str(value).startswith("'=HYPERLINK") for value in cells)
    assert not any(str(value).startswith("=") for value in cells)
