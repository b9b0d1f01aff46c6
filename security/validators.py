"""Password validators for the mistakes PwC found in a municipality (seed S004).

"Lösenord var enkla att gissa (t.ex. Sommar2017)": a season or a month with a year is the first
thing a password-guessing tool tries, so is the name of the municipality. These two validators
refuse both, on top of Django's (minimum 12 characters, common passwords, only digits,
similarity to the user's own details).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Swedish and English seasons and months, without diacritics (å/ä → a, ö → o).
SEASONS = (
    "var",
    "varen",
    "sommar",
    "sommaren",
    "host",
    "hosten",
    "vinter",
    "vintern",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
)
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
    "january",
    "february",
    "march",
    "may",
    "june",
    "july",
    "august",
    "october",
)
_WORDS = "|".join(sorted({*SEASONS, *MONTHS}, key=len, reverse=True))
# The whole password is a season or month, with only digits, punctuation or spaces around it:
# "Sommar2017", "!!Vinter2024!!", "januari", "Hösten 2019".
_ONLY_WORD = re.compile(rf"^[^a-z]*(?:{_WORDS})[^a-z]*$")
# A season or month next to a year anywhere in it: "Kaffe-Sommar2017", "2024vinter".
_WORD_THEN_YEAR = re.compile(rf"(?<![a-z])(?:{_WORDS})[^a-z0-9]{{0,3}}(?:19|20)?\d\d(?!\d)")
_YEAR_THEN_WORD = re.compile(rf"(?<!\d)(?:19|20)?\d\d[^a-z0-9]{{0,3}}(?:{_WORDS})(?![a-z])")


def fold(text: str) -> str:
    """Lower case without diacritics: "Höst" → "host", "Åsby" → "asby"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class SeasonYearPasswordValidator:
    """Refuse a season or month with a year: ``Sommar2017``, ``Vinter2024!``, ``Januari2025``."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = fold(password)
        if (
            _ONLY_WORD.search(folded)
            or _WORD_THEN_YEAR.search(folded)
            or _YEAR_THEN_WORD.search(folded)
        ):
            raise ValidationError(
                _(
                    "Lösenordet får inte bygga på en årstid eller månad med ett årtal "
                    "(som ”Sommar2017”). Sådana lösenord gissas först."
                ),
                code="password_season_year",
            )

    def get_help_text(self) -> str:
        return _("Lösenordet får inte vara en årstid eller månad med ett årtal (”Sommar2017”).")


_NON_NAME = re.compile(r"[^a-z0-9]+")
_GENERIC_WORDS = {"kommun", "kommuner", "stad", "region", "kommunen", "staden"}


def municipality_words(name: str, slug: str = "") -> set[str]:
    """The distinctive parts of a municipality's name: "Mjölby kommun" → {"mjolby"}."""
    words = {w for w in _NON_NAME.split(fold(name)) if len(w) >= 3} - _GENERIC_WORDS
    joined = _NON_NAME.sub("", fold(name))
    for generic in _GENERIC_WORDS:
        joined = joined.removesuffix(generic)
    if len(joined) >= 3:
        words.add(joined)
    for part in _NON_NAME.split(fold(slug)):
        if len(part) >= 3 and part not in _GENERIC_WORDS:
            words.add(part)
    return words


class MunicipalityNamePasswordValidator:
    """Refuse a password that contains the user's municipality's name (``Mjolby2024!``).

    The name must stand as a word of its own (at the start, after a non-letter or as a
    capitalised part), so that "Åsby" does not refuse "Basbyggnad".
    """

    def validate(self, password: str, user: Any = None) -> None:
        municipality = getattr(user, "municipality", None) if user is not None else None
        if municipality is None:
            return
        folded = fold(password)
        # The case of the original marks a capitalised word, unless folding changed the length
        # (ß → ss): then only a non-letter before the name counts.
        original = password if len(folded) == len(password) else folded
        for word in municipality_words(municipality.name, municipality.slug):
            for match in re.finditer(re.escape(word), folded):
                start = match.start()
                before = folded[start - 1] if start else ""
                if not before.isalpha() or original[start].isupper():
                    raise ValidationError(
                        _("Lösenordet får inte innehålla kommunens namn (%(name)s).")
                        % {"name": municipality.name},
                        code="password_municipality_name",
                    )

    def get_help_text(self) -> str:
        return _("Lösenordet får inte innehålla kommunens namn.")
