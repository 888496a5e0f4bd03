"""Case numbers people can read aloud: BD + date + 4-digit daily serial, unique under concurrency.

The day's counter row is the one lock every new case in the city waits for, so a request takes its
number last, just before its transaction commits (`assign_case_number`): the lock is held for one
UPDATE, not for the whole request, and a rolled-back request gives its number back (no gaps).
"""

import secrets
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import Case, CaseNumberSequence

__all__ = ["assign_case_number", "new_query_code", "next_case_number", "provisional_number"]

PROVISIONAL_PREFIX = "~"


def next_case_number(today=None):
    """Increment today's counter under a row lock and return e.g. BD202611260007."""
    today = today or timezone.localdate()
    with transaction.atomic():
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.get_or_create(day=today)
        except IntegrityError:  # another request created today's row first
            pass
        CaseNumberSequence.objects.filter(day=today).update(last=F("last") + 1)
        serial = CaseNumberSequence.objects.get(day=today).last
    return f"BD{today:%Y%m%d}{serial:04d}"


def new_query_code():
    return f"{secrets.randbelow(10**6):06d}"


def provisional_number():
    """A unique stand-in (20 characters) until `assign_case_number`; never seen outside the transaction."""
    return PROVISIONAL_PREFIX + uuid.uuid4().hex[:19]


def assign_case_number(case, today=None):
    """Give a case created with a provisional number its real one; call it last in the transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("assign_case_number must run inside the transaction that created the case")
    case.number = next_case_number(today)
    Case.objects.filter(pk=case.pk).update(number=case.number)
    return case.number
