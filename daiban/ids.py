"""Row ids typed or posted by people: only ASCII digits, at most 18 of them.

Not str.isdigit(): "²" is a digit to it but not to int(); and 18 digits fit any database's integer, so a
forged id finds nothing instead of overflowing the driver.
"""

import re

__all__ = ["parse_pk"]

PK = re.compile(r"[0-9]{1,18}")


def parse_pk(value):
    """The id as an int, or None when the value is not one."""
    text = "" if value is None else str(value)
    return int(text) if PK.fullmatch(text) else None
