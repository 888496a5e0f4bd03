"""Shared pieces of the property tests (tests/test_properties_*.py): strategies for hostile input and the check.

Each property posts hundreds of generated forms through Django's test client against one world built
once per test. Every example runs inside a savepoint that is rolled back, so each starts from the same
data (a case accepted by one example is not accepted for the next), and the rate-limit counters are
cleared, so the limits of the public forms never answer in place of the form.

The property: the server never answers 5xx (the test client re-raises a view's exception, so a crash
fails the test with its traceback), only the statuses the page documents, and a refusal for bad input
(400) carries its reasons in Chinese.
"""

import html
import itertools
import os
import re

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.threads import ON_SQLITE

__all__ = [
    "PROPERTY",
    "text",
    "value",
    "form_data",
    "date_text",
    "int_text",
    "phone_text",
    "id_number_text",
    "uploads",
    "send",
    "check",
]

# Each property is one test function run this many times (PROPERTY_EXAMPLES=50 for a quick try while
# writing one); the world is built once per test function. The full 500 run on SQLite; on PostgreSQL the
# same properties run 100 examples each (the input handling is the database's only in the saving), so CI's
# second pass stays short.
DEFAULT_EXAMPLES = "500" if ON_SQLITE else "100"
PROPERTY = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", DEFAULT_EXAMPLES)),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)

# Strings that have broken web forms before: markup, SQL, format strings, direction overrides,
# zero-width and byte-order marks, characters outside the BMP, full-width and Arabic-Indic digits.
WEIRD = [
    "",
    " ",
    "\x00",
    "\r\n",
    "\t",
    "\u202e反向",
    "\u200b",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n%x",
    "{{ 7*7 }}{% now 'Y' %}",
    "😀" * 10,
    "𠀀𪚥",
    "Ａ１２３",
    "１３８００００１２３４",
    "١٣٨٠٠٠٠١٢٣٤",
    "²³",
    "null",
    "None",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 30,
    "../../etc/passwd",
    "王建国",
    "资中县水南镇某某村3组12号",
]
# Sizes of the one huge value an example may carry: over a max_length, over a text column's sense,
# and over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
HUGE = ["中" * 1_000, "x" * 70_000, "\x00" * 300, "x" * 2_700_000]


def text(max_size=40):
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(WEIRD),
        st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Mn", "Co"]), max_size=12),
        st.text(alphabet="办件编号资中县王建国0123456789-—（）() X", max_size=max_size),
    )


def value(*valid):
    """A valid value of a field half the time, anything the other half."""
    if not valid:
        return text()
    return st.one_of(st.sampled_from([str(v) for v in valid]), text())


def int_text(*valid):
    return st.one_of(
        st.sampled_from([str(v) for v in valid] or ["1"]),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["", "0", "-0", "+1", "1.5", "١", "²", "0x10", " 3 ", "9" * 40, "1_000"]),
        text(12),
    )


def date_text():
    return st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(["", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "12/31/2026", "今天", "2026-1-1"]),
        text(12),
    )


def datetime_text():
    return st.one_of(
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "2026-03-08T02:30", "2026-02-30T10:00", ""]),
        text(16),
    )


def phone_text():
    return st.one_of(
        st.sampled_from(
            [
                "13800001234",
                "138 0000 1234",
                "138-0000-1234",
                "(0832)1234567",
                "0832-1234567",
                "0832—1234567",
                "+8613800001234",
                "１３８００００１２３４",
                "١٣٨٠٠٠٠١٢٣٤",
                "10000000000",
                "1" * 40,
            ]
        ),
        st.from_regex(r"\A1[3-9]\d{9}\Z", fullmatch=True),
        text(20),
    )


def _id_with_check(body):
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def id_number_text():
    return st.one_of(
        st.from_regex(r"\A\d{17}\Z", fullmatch=True).map(_id_with_check),
        st.from_regex(r"\A\d{17}[\dXx]\Z", fullmatch=True),
        st.sampled_from(["", "11010519491231002x", "١" * 18, "１" * 18, "X" * 18]),
        text(20),
    )


@st.composite
def form_data(draw, fields, *, valid=None, lists=()):
    """A POST body: each field from its strategy, some left out, perhaps one huge, perhaps extra keys.

    `fields` maps names to strategies of strings; names in `lists` take lists of strings. With `valid`
    (a whole, acceptable POST), half the examples are that form with a few fields changed, so the
    examples reach the code behind the form's checks and not only the checks.
    """
    if valid is not None and draw(st.booleans()):
        data = dict(valid)
        for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
            data[name] = draw(st.lists(fields[name], max_size=4) if name in lists else fields[name])
        return data
    data = {}
    for name, strategy in fields.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # the field is missing from the POST altogether
        data[name] = draw(st.lists(strategy, max_size=4) if name in lists else strategy)
    huge = draw(st.sampled_from([None] * 8 + sorted(n for n in data if n not in lists)))
    if huge is not None:
        data[huge] = draw(st.sampled_from(HUGE))
    for key in draw(st.lists(st.from_regex(r"\A[a-z_\-0-9]{1,12}\Z", fullmatch=True), max_size=2)):
        data.setdefault(key, draw(text(10)))
    return data


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@st.composite
def uploads(draw, max_files=3):
    """Files as a browser (or not) would send them: good PDFs, lies about the type, odd names."""
    files = []
    for _ in range(draw(st.integers(0, max_files))):
        name = draw(
            st.one_of(
                st.sampled_from(
                    ["身份证.pdf", "a.png", "x.exe", "../../a.pdf", "无扩展名", "a.pdf.exe", "长" * 300 + ".pdf"]
                ),
                st.text(max_size=30).filter(lambda s: s.strip() and not set(s) & set('\r\n"\\/\x00')),
            )
        )
        content = draw(st.one_of(st.sampled_from([PDF, PNG, b"", b"MZ\x90\x00"]), st.binary(max_size=200)))
        content_type = draw(st.sampled_from(["application/pdf", "image/png", "text/html", "application/x-msdownload"]))
        files.append(SimpleUploadedFile(name, content, content_type=content_type))
    return files


_addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


def send(client, method, url, data=None, **extra):
    """One request from a new address, with fresh rate-limit counters, its database changes rolled back."""
    cache.clear()
    with transaction.atomic():
        response = getattr(client, method)(url, data or {}, REMOTE_ADDR=next(_addresses), **extra)
        transaction.set_rollback(True)
    return response


CJK = re.compile(r"[\u4e00-\u9fff]")
# Django's own English messages: one of these on a page means a message was not translated or replaced.
ENGLISH = re.compile(
    r"This field is required|Enter a valid|Select a valid choice|Ensure this value|Null characters are not"
    r"|ManagementForm data|Please submit|The submitted file|No file was submitted"
)
ERRORLIST = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
ITEM = re.compile(r"<li[^>]*>(.*?)</li>", re.S)
SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)
MESSAGE = re.compile(r'<li class="[^"]*(?:error|warning)[^"]*"[^>]*>(.*?)</li>', re.S)


def _plain(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def error_messages(body):
    messages = [_plain(item) for block in ERRORLIST.findall(body) for item in ITEM.findall(block)]
    messages += [_plain(block) for block in SUMMARY.findall(body)]
    messages += [_plain(item) for item in MESSAGE.findall(body)]
    return [message for message in messages if message]


def check(response, allowed):
    """The answer is one the page documents; a refusal of the input says why, in Chinese."""
    status = response.status_code
    assert status < 500, status
    assert status in allowed, f"unexpected status {status}"
    if status != 400:
        return
    body = response.content.decode()
    assert not ENGLISH.search(body), ENGLISH.search(body).group(0)
    messages = error_messages(body)
    if not messages:  # Django's 400 page (a body over the size limit, a broken multipart body)
        assert CJK.search(body), body[:300]
        return
    untranslated = [message for message in messages if not CJK.search(message)]
    assert not untranslated, untranslated


def case_fields(matter_ids, centre_ids):
    """The 附件5 fields shared by /apply/ and the window's registration."""
    return {
        "is_company": value("0", "1"),
        "applicant_name": value("王建国", "资中县某某有限公司"),
        "contact_name": value("王建国"),
        "contact_phone": phone_text(),
        "id_number": id_number_text(),
        "email": value("", "wang@example.com", "a@b", "王@例子.中国", "x@" + "a" * 300 + ".com"),
        "matter": value("", *matter_ids, "0", "-1", "²", "١", "99999999999999999999"),
        "matter_text": value("", "城乡居民养老保险"),
        "service_form": value("assist", "proxy", "home_visit", "other"),
        "service_form_other": value("", "帮我填表"),
        "units_text": value(""),
        "description": value("", "帮忙办理养老保险参保"),
        "delivery": value("pickup", "courier"),
        "recipient_name": value("", "王建国"),
        "recipient_phone": st.one_of(st.just(""), phone_text()),
        "recipient_address": value("", "资中县水南镇某某村3组12号"),
        "special_group": value("", "elderly", "disabled", "military"),
        "centre": value(*centre_ids, "", "0", "²", "99999999999999999999"),
        "visit_address": value("", "资中县水南镇某某村3组12号"),
        "visit_time": value("", "工作日上午"),
    }


def formset_fields(prefix, row_fields, *, rows=4, max_num=20):
    """A formset's management form (honest or not) and its rows."""
    fields = {
        f"{prefix}-TOTAL_FORMS": int_text(rows, 0, max_num, max_num + 1, 1001, 100000),
        f"{prefix}-INITIAL_FORMS": int_text(0, 1),
        f"{prefix}-MIN_NUM_FORMS": int_text(0),
        f"{prefix}-MAX_NUM_FORMS": int_text(max_num),
    }
    for row in range(rows + 1):
        fields.update({f"{prefix}-{row}-{name}": strategy for name, strategy in row_fields.items()})
    return fields
