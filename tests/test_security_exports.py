"""Personal data in exports: the 附件4 ledger shows full phones only to the window of the case's centre;
every export download (附件1, 2, 4, 8) is in the audit log with who, what filter and how many rows."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry, PageLogEntry

from daiban.models import CaseStatus, Liaison
from daiban.roles import CITY_GUIDANCE
from daiban.services.audit import EXPORT_LEDGER, EXPORT_LIAISONS, EXPORT_MATTERS, EXPORT_STATISTICS
from tests.factories import LiaisonFactory, UserFactory, city, matter, staff_user
from tests.results_setup import case_in, supervisor, window, window_clerk

pytestmark = pytest.mark.django_db

PHONE = "13800001234"
MASKED = "138****1234"


@pytest.fixture
def ledger():
    unit, centre = window()
    case = case_in(CaseStatus.COMPLETED, unit, centre, phone=PHONE)
    return case, unit, centre


def download_ledger(client, user, **filters):
    client.force_login(user)
    response = client.get(reverse("reports:ledger_export"), {"download": "1", **filters})
    assert response.status_code == 200
    return applicant_cell(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active)


def applicant_cell(sheet):
    """申请人姓名及电话 (column C) of the one case, wherever the title and headers end."""
    return next((str(cell.value) for cell in sheet["C"] if cell.value and "138" in str(cell.value)), "")


def test_the_window_of_the_cases_centre_gets_the_full_phone(client, ledger):
    _case, _unit, centre = ledger
    cell = download_ledger(client, window_clerk(centre))
    assert PHONE in cell


@pytest.mark.parametrize(
    "reader",
    [
        lambda centre: supervisor(region=centre.region),
        lambda centre: staff_user(CITY_GUIDANCE, region=city()),
        lambda centre: UserFactory(is_superuser=True, is_staff=True),
    ],
    ids=["county bureau", "city", "superuser"],
)
def test_everyone_else_gets_the_phone_masked(client, ledger, reader):
    _case, _unit, centre = ledger
    cell = download_ledger(client, reader(centre))
    assert MASKED in cell and PHONE not in cell


def test_a_ledger_download_is_in_the_audit_log_with_who_filter_and_rows(client, ledger):
    _case, unit, centre = ledger
    clerk = window_clerk(centre)
    download_ledger(client, clerk, unit=unit.pk)
    entry = ModelLogEntry.objects.get(action=EXPORT_LEDGER)
    assert entry.user == clerk
    assert entry.data["rows"] == 1 and entry.data["masked"] is False
    assert entry.data["filters"]["unit"] == unit.name

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "导出台账（附件4）" in history and "1行" in history


def test_the_command_masks_unless_asked_and_is_audited(ledger, tmp_path):
    out = tmp_path / "台账.xlsx"
    call_command("export_ledger", "--out", str(out))
    assert applicant_cell(load_workbook(out).active).endswith(MASKED)
    call_command("export_ledger", "--out", str(out), "--full-contact")
    assert applicant_cell(load_workbook(out).active).endswith(PHONE)
    masked = list(ModelLogEntry.objects.filter(action=EXPORT_LEDGER).order_by("pk").values_list("data", flat=True))
    assert [data["masked"] for data in masked] == [True, False]


def test_statistics_and_liaison_downloads_are_audited(client):
    window()  # one unit that must report: one row besides the region totals
    user = staff_user(CITY_GUIDANCE, region=city())
    LiaisonFactory(name="张演示", phone="13800000012")
    client.force_login(user)
    assert client.get(reverse("reports:statistics_export"), {"month": "2026-10"}).status_code == 200
    assert client.get(reverse(Liaison.snippet_viewset.get_url_name("export"))).status_code == 200
    statistics = ModelLogEntry.objects.get(action=EXPORT_STATISTICS)
    liaisons = ModelLogEntry.objects.get(action=EXPORT_LIAISONS)
    assert statistics.user == user and statistics.data["rows"] > 0 and "period" in statistics.data["filters"]
    assert liaisons.user == user and liaisons.data["rows"] == 1


def test_a_matter_list_download_is_audited(client):
    page = matter(title="失业保险金申领")
    list_page = page.get_parent().specific
    response = client.get(reverse("daiban:matter_list_export", args=[list_page.pk]), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    entry = PageLogEntry.objects.get(action=EXPORT_MATTERS)
    assert entry.data["rows"] == 1 and entry.data["ip"] == "203.0.113.5" and entry.user is None
