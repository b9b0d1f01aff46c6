"""Personnummer in access reviews: never stored in clear.

An account in an access review is matched against the payroll roster on the personnummer. What
is stored is a keyed hash (HMAC-SHA256 with ``settings.PERSONNUMMER_HMAC_KEY``, so that a leaked
table cannot be reversed by hashing every possible birth date and serial number) and a masked
form for people to read ("19800101-****").

Both functions take the normalised form: twelve digits, century included, no separator
("198001011234"). Parsing what people type (10 digits, "-", "+") is not done here.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _check_normalised(pnr12: str) -> None:
    if not isinstance(pnr12, str) or len(pnr12) != 12 or not pnr12.isascii() or not pnr12.isdigit():
        raise ValueError("Ett normaliserat personnummer har exakt tolv siffror (ÅÅÅÅMMDDNNNK).")


def hash_personnummer(pnr12: str) -> str:
    """The keyed hash stored in ``AccessReviewItem.person_hash``: 64 hexadecimal characters."""
    _check_normalised(pnr12)
    key = str(settings.PERSONNUMMER_HMAC_KEY).encode("utf-8")
    return hmac.new(key, pnr12.encode("ascii"), hashlib.sha256).hexdigest()


def mask_personnummer(pnr12: str) -> str:
    """The birth date and four stars, as stored in ``AccessReviewItem.person_masked``."""
    _check_normalised(pnr12)
    return f"{pnr12[:8]}-****"
