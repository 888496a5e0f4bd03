"""Mask personal data (phones, ID numbers, names, addresses) wherever the full value is not needed.

Each function accepts any value (None, int, str) and never raises: a page must render
even for odd imported data.
"""

__all__ = ["mask_phone", "mask_id_number", "mask_name", "mask_address", "mask_email"]

MASK = "*"


def _text(value):
    return "" if value is None else str(value).strip()


def mask_phone(value):
    """'13800001234' → '138****1234', '0832-1234567' → '0832-***4567'; short numbers keep their last two digits."""
    phone = _text(value)
    if "-" in phone:  # landline: keep the area code and the last four digits
        area, _sep, local = phone.partition("-")
        return f"{area}-{MASK * max(len(local) - 4, 0)}{local[-4:]}"
    if len(phone) >= 11:
        return f"{phone[:3]}{MASK * 4}{phone[-4:]}"
    if len(phone) > 4:
        return f"{MASK * (len(phone) - 2)}{phone[-2:]}"
    return MASK * len(phone)


def mask_id_number(value):
    """'510123199001011234' → '5101**********1234'."""
    number = _text(value)
    if len(number) > 8:
        return f"{number[:4]}{MASK * (len(number) - 8)}{number[-4:]}"
    return MASK * len(number)


def mask_name(value):
    """'张三' → '张*', '欧阳娜娜' → '欧**娜'; company names (longer than 5) keep their ends."""
    name = _text(value)
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}{MASK}"
    if len(name) <= 5:
        return f"{name[0]}{MASK * (len(name) - 2)}{name[-1]}"
    return f"{name[:2]}{MASK * (len(name) - 4)}{name[-2:]}"


def mask_address(value):
    """Keep the first six characters (city, county, town), mask the rest."""
    address = _text(value)
    if len(address) <= 6:
        return address[:2] + MASK * max(len(address) - 2, 0)
    return f"{address[:6]}{MASK * 4}"


def mask_email(value):
    """'zhang.san@example.com' → 'z***@example.com'."""
    email = _text(value)
    local, at, domain = email.partition("@")
    if not at:
        return MASK * len(email)
    return f"{local[:1]}{MASK * 3}@{domain}"
