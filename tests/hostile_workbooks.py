"""Hostile workbooks made in the tests (never stored): a sheet that unpacks to millions of rows from a few
hundred kilobytes, and the helpers that swap a sheet's XML inside an otherwise valid workbook."""

import io
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook

SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_END = b"</sheetData></worksheet>"


def row_xml(values):
    """One <row> of inline strings, without cell references (readers number them in order)."""
    cells = "".join(
        f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>' if value is not None else "<c/>"
        for value in values
    )
    return f"<row>{cells}</row>".encode()


def replace_sheet(sheet_writer):
    """A valid xlsx whose first sheet is written by `sheet_writer(stream)`, compressed."""
    source = io.BytesIO()
    Workbook().save(source)
    target = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as made:
        for item in original.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with made.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
                    sheet_writer(stream)
            else:
                made.writestr(item.filename, original.read(item.filename), zipfile.ZIP_DEFLATED)
    return target.getvalue()


def row_bomb(header_rows, data_row, count, chunk=10_000):
    """A workbook whose sheet holds the header rows and then `count` copies of `data_row`."""
    block = row_xml(data_row) * chunk

    def write(stream):
        stream.write(SHEET_START)
        for values in header_rows:
            stream.write(row_xml(values))
        for _ in range(count // chunk):
            stream.write(block)
        stream.write(row_xml(data_row) * (count % chunk))
        stream.write(SHEET_END)

    return replace_sheet(write)


def unpacked_size(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(item.file_size for item in archive.infolist())
