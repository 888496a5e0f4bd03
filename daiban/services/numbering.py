"""Case numbers people can read aloud: BD + date + 4-digit daily serial, unique under concurrency."""

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import CaseNumberSequence


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
