"""Hostile and damaged workbooks: every import refuses them with a Chinese message and changes nothing.

The files are made here from a valid workbook: a sheet whose XML is cut off, and a sheet that carries a
"billion laughs" entity bomb (defusedxml refuses entity declarations before anything is expanded).
"""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from daiban.models import Case, Liaison, MatterPage, Unit
from tests.factories import county
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
