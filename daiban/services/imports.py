"""Historical 台账 rows (附件4, kept in Excel since 2022) become cases in their final state, in one place.

The reader (daiban.excel.ledger_import) turns a sheet row into a HistoricalRow; this
service decides the state and writes the case, its unit flows, its evaluation and an
event "历史台账导入". It is the only code that creates a case in a later state directly.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.utils import timezone

from ..models import (
    Case,
    CaseStatus,
    Channel,
    Evaluation,
    EvaluationMethod,
    FlowStatus,
    Satisfaction,
    UnitFlow,
)
from .audit import record
from .numbering import new_query_code, next_case_number

__all__ = ["FlowLine", "HistoricalRow", "import_historical_case", "IMPORT_ACTION", "IMPORT_LABEL"]

IMPORT_ACTION = "import"
IMPORT_LABEL = "历史台账导入"


@dataclass
class FlowLine:
    """One line of the 相关单位流转情况 cells: a unit (if named) and its dates."""

    unit_name: str = ""
    accepted_on: datetime.date | None = None
    completed_on: datetime.date | None = None
    unit: object = None  # the matching Unit, when the name was found

    def as_data(self):
        return {
            "unit": self.unit_name,
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else "",
            "completed_on": self.completed_on.isoformat() if self.completed_on else "",
            "matched": self.unit is not None,
        }


@dataclass
class HistoricalRow:
    sheet_row: int
    serial: str
    accepted_on: datetime.date
    applicant_name: str
    phone: str
    matter_name: str
    receiver_name: str = ""
    flows: list = field(default_factory=list)
    delivered_on: datetime.date | None = None
    level: str = ""
    note: str = ""
    matter: object = None
    sheet: str = ""
    key: str = ""

    @property
    def is_completed(self):
        """Every unit has a 办结日期; with no unit dates, the window's 反馈时间 is filled."""
        if self.flows:
            return all(line.completed_on for line in self.flows)
        return self.delivered_on is not None

    @property
    def completed_on(self):
        if not self.is_completed:
            return None
        if self.flows:
            return max(line.completed_on for line in self.flows)
        return self.delivered_on

    @property
    def status_label(self):
        return CaseStatus(self.status).label

    @property
    def level_label(self):
        return Satisfaction(self.level).label if self.level else ""

    @property
    def status(self):
        if not self.is_completed:
            return CaseStatus.IN_PROGRESS
        return CaseStatus.COMPLETED if self.delivered_on else CaseStatus.RESULTS_RETURNED

    def import_key(self, unit):
        """Identity of the row: the same request in the same window's ledger, whatever its later dates."""
        parts = [str(unit.pk), self.serial, self.accepted_on.isoformat(), self.applicant_name, self.phone]
        parts.append(self.matter_name)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) if day else None


def import_historical_case(row, *, unit, centre, user, source):
    """Create the case of one ledger row in its final state. Call inside the import's transaction."""
    key = row.import_key(unit)
    existing = Case.objects.filter(import_key=key).first()
    if existing is not None:
        return existing, False
    case = Case.objects.create(
        number=next_case_number(row.accepted_on),
        query_code=new_query_code(),
        channel=Channel.WINDOW,
        status=row.status,
        applicant_name=row.applicant_name,
        contact_name=row.applicant_name,
        contact_phone=row.phone,
        matter=row.matter,
        matter_text=row.matter_name,
        units_text="、".join(line.unit_name for line in row.flows if line.unit_name)[:200],
        description=row.note,
        centre=centre,
        region=centre.region,
        accepting_unit=unit,
        accepted_at=_at(row.accepted_on),
        completed_at=_at(row.completed_on),
        results_returned_at=_at(row.completed_on),
        delivered_at=_at(row.delivered_on) if row.is_completed else None,
        imported_from=source[:200],
        import_key=key,
    )
    # submitted_at is set on creation (auto_now_add); the request was made on the sheet's 申请日期.
    case.submitted_at = case.accepted_at
    Case.objects.filter(pk=case.pk).update(submitted_at=case.submitted_at)
    _add_flows(case, row)
    if row.level:
        Evaluation.objects.create(
            case=case,
            level=row.level,
            method=EvaluationMethod.PHONE,
            comment="历史台账导入（原台账未记载评价方式）",
            evaluated_at=_at(row.delivered_on or row.completed_on),
        )
    record(
        case,
        IMPORT_ACTION,
        IMPORT_LABEL,
        user=user,
        note=f"{source} 第{row.sheet_row}行",
        from_status=CaseStatus.SUBMITTED,
        data={
            "sheet_row": row.sheet_row,
            "serial": row.serial,
            "receiver": row.receiver_name,
            "lines": [line.as_data() for line in row.flows],
            "delivered_on": row.delivered_on.isoformat() if row.delivered_on else "",
        },
    )
    return case, True


def _add_flows(case, row):
    seen = set()
    for line in row.flows:
        if line.unit is None or line.unit.pk in seen:
            continue
        seen.add(line.unit.pk)
        UnitFlow.objects.create(
            case=case,
            unit=line.unit,
            status=FlowStatus.COMPLETED if line.completed_on else FlowStatus.ACCEPTED,
            accepted_on=line.accepted_on,
            completed_on=line.completed_on,
        )
    if seen:
        case.units.add(*seen)
