"""Historical 台账 workbooks as windows kept them, with every quirk, built in memory for the tests.

The expected figures of the rows are worked out by hand in HAND_FIGURES (see the comments on each row).
"""

import datetime
import io

from openpyxl import Workbook
from openpyxl.utils.datetime import to_excel

MATTER = "城镇职工基本养老保险关系转移接续"
UNIT = "资中县人社局"  # exists in the database in the tests
UNKNOWN_UNIT = "资中县医保局"  # not in the database: dates kept, a warning shown

HEADER = [
    "序号",
    "申请日期",
    "申请人\n姓名及电话",
    "帮办代办事项名称",
    "帮办代办窗口收件人姓名",
    "相关单位流转情况",
    None,
    "帮办代办窗口反馈时间",
    "评价\n情况",
    "备注",
]

# serial, 申请日期, 申请人, 事项, 收件人, 受理日期 cell, 办结日期 cell, 反馈时间, 评价, 备注
ROWS = [
    # Oct: completed 10-12 (one unit), satisfied
    (
        1,
        datetime.datetime(2025, 10, 9),
        "张三 13800001111",
        MATTER,
        "李窗口",
        f"{UNIT}：2025-10-09",
        f"{UNIT}：2025/10/12",
        datetime.datetime(2025, 10, 13, 15, 30),
        "满意",
        "",
    ),
    # Oct: two units, the second completes on 11-03 → still 在办 at the end of October; no 反馈时间 yet
    (
        2,
        "2025/10/10",
        "李四\n13800002222",
        "不动产转移登记",
        "李窗口",
        f"{UNIT}：2025.10.10\n{UNKNOWN_UNIT}：2025年10月11日",
        f"{UNIT}：2025-10-15\n{UNKNOWN_UNIT}：2025-11-03",
        None,
        None,
        "跨部门",
    ),
    # Oct: dates without unit names; completed 10-22; 非常满意
    (
        "3",
        "2025.10.20",
        "王五（13800003333）",
        MATTER,
        "",
        "2025-10-20",
        "2025-10-22",
        "2025年10月23日",
        "非常满意",
        None,
    ),
    # Oct: an Excel serial number date; no unit dates, 反馈时间 filled → completed 10-25; 基本满意
    (
        4,
        to_excel(datetime.datetime(2025, 10, 21)),
        "赵六 0832-1234567",
        "营业执照办理",
        "李窗口",
        None,
        None,
        "2025-10-25",
        "基本满意",
        None,
    ),
    # Oct: accepted 10-30, nothing completed → 在办
    (5, "2025年10月30日", "钱七13800005555", MATTER, "李窗口", f"{UNIT}：2025-10-30", None, None, "", None),
    # Nov: completed 11-05, 不满意
    (
        6,
        datetime.date(2025, 11, 2),
        "孙八 13800006666",
        MATTER,
        "李窗口",
        f"{UNIT}：2025-11-02",
        f"{UNIT}：2025-11-05",
        datetime.datetime(2025, 11, 6),
        "不满意",
        None,
    ),
    # Nov: no units, no 反馈时间 → 在办
    (7, "2025-11-10", "周九 13800007777", "社保卡补办", "李窗口", None, None, None, None, None),
    # Nov: completed 11-13 without evaluation → lowers 满意度
    (
        8,
        "2025-11-12",
        "吴十 13800008888",
        MATTER,
        "李窗口",
        f"{UNIT}：2025-11-12",
        f"{UNIT}：2025-11-13",
        "2025-11-14",
        None,
        None,
    ),
    # Nov: completed 11-16, 非常满意
    (
        9,
        "2025-11-15",
        "郑十一 13800009999",
        MATTER,
        "李窗口",
        f"{UNIT}：2025-11-15",
        f"{UNIT}: 2025-11-16",
        "2025-11-17",
        " 非常满意 ",
        None,
    ),
]

# Worked out by hand from ROWS (受理 = 申请日期 in the month; 办结 = completed by the month's end):
#   October:  rows 1–5 accepted = 5; completed by 10-31: rows 1, 3, 4 = 3; 在办 = 2 (row 2 completes 11-03, row 5 open);
#             satisfied among completed: 满意, 非常满意, 基本满意 = 3 → 100.00%
#   November: rows 6–9 accepted = 4; completed: rows 6, 8, 9 = 3; 在办 = 1 (row 7);
#             satisfied: row 9 only (row 6 不满意, row 8 not evaluated) = 1 → 33.33%
HAND_FIGURES = {
    (2025, 10): {"accepted": 5, "completed": 3, "in_progress": 2, "satisfied": 3, "rate": "100.00%"},
    (2025, 11): {"accepted": 4, "completed": 3, "in_progress": 1, "satisfied": 1, "rate": "33.33%"},
}


def quirky_ledger(rows=ROWS, *, with_footnotes=True):
    """An .xlsx as windows kept it: title rows, a two-row merged header, the rows, footnotes below."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2025年台账"
    sheet.append(["帮办代办工作登记台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(["填报单位：资中县行政审批局", None, None, None, None, None, None, "2025年"])
    sheet.append(HEADER)
    sheet.append([None] * 5 + ["受理日期", "办结日期"] + [None] * 3)
    for column in "ABCDEHIJ":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("F3:G3")
    for row in rows:
        sheet.append(list(row))
    if with_footnotes:
        sheet.append([])
        sheet.append(["说明：1.“相关单位流程情况”涉及多部门（单位）办理时，请分别填写其受理日期和办结日期。"])
        sheet.append(["　　　2.评价情况分为：非常满意、满意、基本满意、不满意、非常不满意。"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "资中县2025年台账.xlsx"
    return buffer


def first_data_row():
    return 5


def large_ledger(count):
    """A ledger of `count` distinct completed rows, written with write_only (made in the test, never stored)."""
    from openpyxl import Workbook as StreamingWorkbook

    workbook = StreamingWorkbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(HEADER)
    sheet.append([None] * 5 + ["受理日期", "办结日期"] + [None] * 3)
    for n in range(1, count + 1):
        sheet.append(
            [
                n,
                "2025-10-09",
                f"申请人{n} 138{n:08d}",
                MATTER,
                "李窗口",
                "2025-10-09",
                "2025-10-12",
                "2025-10-13",
                "满意",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
