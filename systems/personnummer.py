"""Swedish personnummer and samordningsnummer: parse, check, normalise, mask and hash.

Personnummer are never stored in clear. What the access review stores is a keyed hash
(HMAC-SHA256 with ``settings.PERSONNUMMER_HMAC_KEY`` over the normalised twelve digits, so that a
leaked table cannot be reversed by hashing every possible birth date and serial number) and a
masked form for people to read (``19800101-****``).

Forms accepted by :func:`parse`::

    198001011234   19800101-1234   8001011234   800101-1234   800101+1234

Ten digits carry no century: it is inferred from the day of parsing, so that the person is
younger than 100 years; ``+`` between date and serial number means 100 years or older (the
Skatteverket convention). A **samordningsnummer** has 60 added to the day of birth (``800161``)
and is accepted as well. The last digit is a Luhn check digit over the ten digits YYMMDDNNN.
"""

from __future__ import annotations

import datetime
import hmac
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: What a personnummer looks like, checked or not: a cell matching this is never kept in clear.
#: ``\d`` is any script's digit (fullwidth ``８００１０１``, Arabic-Indic ``٨٠٠١٠١``): such a
#: number is still a personnummer, and :func:`ascii_digits` reads it.
SHAPE = re.compile(r"^\s*(\d{2})?(\d{6})\s?([-+])?\s?(\d{4})\s*$")
_DIGIT = re.compile(r"\d")

COORDINATION_OFFSET = 60


class PersonnummerError(ValueError):
    """A value that is not a valid personnummer.

    ``code`` is one of :data:`ERRORS`' keys; ``str(error)`` is the Swedish explanation, which
    never repeats the number itself (it may end up in a log or on a page).
    """

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(str(ERRORS[code]))


ERRORS = {
    "format": _("Har inte formen ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."),
    "plus": _("Ett tolvsiffrigt personnummer skrivs utan ”+”."),
    "date": _("Födelsedatumet finns inte."),
    "checksum": _("Kontrollsiffran stämmer inte."),
}


@dataclass(frozen=True, slots=True)
class Personnummer:
    """A checked number: ``digits`` is the normalised form, twelve digits, no separator."""

    digits: str

    @property
    def is_coordination_number(self) -> bool:
        return int(self.digits[6:8]) > COORDINATION_OFFSET

    @property
    def birth_date(self) -> datetime.date:
        day = int(self.digits[6:8])
        if day > COORDINATION_OFFSET:
            day -= COORDINATION_OFFSET
        return datetime.date(int(self.digits[:4]), int(self.digits[4:6]), day)

    @property
    def masked(self) -> str:
        return f"{self.digits[:8]}-****"

    @property
    def hashed(self) -> str:
        return _hmac(self.digits.encode("ascii"))

    def __str__(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its digits summed
#: Luhn's contribution of two adjacent digits (the first doubled), for a 10-digit number.
_PAIRS = {f"{a}{b}": _DOUBLED[a] + b for a in range(10) for b in range(10)}


def luhn_ok(ten_digits: str) -> bool:
    """The Luhn (modulus 10) check over YYMMDDNNNK."""
    d = ten_digits
    total = _PAIRS[d[0:2]] + _PAIRS[d[2:4]] + _PAIRS[d[4:6]] + _PAIRS[d[6:8]] + _PAIRS[d[8:10]]
    return total % 10 == 0


def check_digit(nine_digits: str) -> str:
    """The check digit that makes YYMMDDNNN + K pass :func:`luhn_ok`."""
    total = sum(_DOUBLED[int(c)] if i % 2 == 0 else int(c) for i, c in enumerate(nine_digits))
    return str((10 - total % 10) % 10)


def _infer_century(
    yy: int, month: int, day: int, separator: str | None, today: datetime.date
) -> int:
    """The four-digit birth year of a ten-digit number, as of ``today``."""
    year = (today.year // 100) * 100 + yy
    # Born this century unless that birthday has not happened yet: then the previous century.
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    if separator == "+":
        year -= 100
    return year


def ascii_digits(text: str) -> str:
    """``text`` with the digits of every script as ASCII digits (``"８０"`` → ``"80"``)."""
    if text.isascii():
        return text
    return _DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), text)


def parse(value: object, *, today: datetime.date | None = None) -> Personnummer:
    """Parse what people and systems write; raise :class:`PersonnummerError` when it is wrong."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    match = SHAPE.match(ascii_digits(text))
    if not match:
        raise PersonnummerError("format")
    century, yymmdd, separator, serial = match.groups()
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > COORDINATION_OFFSET:
        day -= COORDINATION_OFFSET
    if century:
        if separator == "+":
            raise PersonnummerError("plus")
        year = int(century + yymmdd[:2])
    else:
        year = _infer_century(int(yymmdd[:2]), month, day, separator, today or timezone.localdate())
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise PersonnummerError("date") from None
    ten = yymmdd + serial
    if not luhn_ok(ten):
        raise PersonnummerError("checksum")
    return Personnummer(f"{year:04d}"[:2] + ten)


def looks_like(value: object) -> bool:
    """Has the shape of a personnummer (whatever its check digit): never to be kept in clear."""
    return value is not None and SHAPE.match(str(value)) is not None


def normalise(value: object, *, today: datetime.date | None = None) -> str:
    """The twelve digits of a valid number, e.g. ``"800101-1234"`` → ``"198001011234"``."""
    return parse(value, today=today).digits


def _check_normalised(pnr12: str) -> None:
    if not isinstance(pnr12, str) or len(pnr12) != 12 or not pnr12.isascii() or not pnr12.isdigit():
        raise ValueError("Ett normaliserat personnummer har exakt tolv siffror (ÅÅÅÅMMDDNNNK).")


def _hmac(message: bytes) -> str:
    key = str(settings.PERSONNUMMER_HMAC_KEY).encode("utf-8")
    return hmac.digest(key, message, "sha256").hex()


def hash_personnummer(pnr12: str) -> str:
    """The keyed hash stored in ``AccessReviewItem.person_hash``: 64 hexadecimal characters.

    HMAC-SHA256 over the normalised twelve digits (ASCII), key ``settings.PERSONNUMMER_HMAC_KEY``
    (UTF-8). Must stay byte for byte the same: stored hashes are compared with new ones.
    """
    _check_normalised(pnr12)
    return _hmac(pnr12.encode("ascii"))


def hash_unchecked(digits: str) -> str:
    """A keyed hash of a personnummer-shaped value that did not parse (kept only to compare)."""
    return _hmac(b"raw:" + ascii_digits(digits).encode("ascii"))


def mask(pnr12: str) -> str:
    """The birth date and four stars: ``"198001011234"`` → ``"19800101-****"``."""
    _check_normalised(pnr12)
    return f"{pnr12[:8]}-****"


#: The name the demo loader uses.
mask_personnummer = mask


def mask_text(value: object) -> str:
    """A masked display of any personnummer-shaped text, valid or not (``800101-****``)."""
    match = SHAPE.match(ascii_digits("" if value is None else str(value)))
    if not match:
        return ""
    century, yymmdd, _sep, _serial = match.groups()
    return f"{century or ''}{yymmdd}-****"
