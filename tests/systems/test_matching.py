"""The matching rules: personnummer in every form, employee numbers, names, duplicates."""

from __future__ import annotations

import datetime
import io

import pytest

from systems import matching, tabular
from systems.mapping import employee_key
from systems.models import AccessReviewItem
from tests.systems.conftest import TODAY, pnr

C = AccessReviewItem.Category
M = AccessReviewItem.Match

ANNA = pnr("19800101", "123")


def cell(text: str) -> str:
    """A cell as it is stored after reading: personnummer reduced to tokens."""
    table = tabular.read_table(io.BytesIO(f"x\n{text}\n".encode()), name="a.csv", today=TODAY)
    return table.rows[0][0]


def person(pnr_text="", name="", end=None, employee="", unit=""):
    token = tabular.as_pnr(cell(pnr_text)) if pnr_text else None
    return matching.Person(
        person_hash=token.hash if token and token.valid else "",
        masked=token.masked if token else "",
        employee_number=employee_key(employee),
        name=name,
        employment_end=end,
        unit=unit,
    )


def account(account_id, *, pnr_text="", name="", employee="", last_login=TODAY, unit=""):
    return matching.Account(
        row_number=2,
        account_id=account_id,
        name=name,
        pnr=tabular.as_pnr(cell(pnr_text)) if pnr_text else None,
        employee_number=employee_key(employee),
        last_login=last_login,
        unit=unit,
    )


RULES = {
    "review_date": TODAY,
    "inactive_days": 90,
    "test_patterns": ["*test*", "svc_*"],
    "external_units": ["Räddningstjänst"],
}


def classify(accounts, people, **rules):
    return matching.classify(
        accounts, matching.Roster(people), matching.Rules(**{**RULES, **rules})
    )


@pytest.mark.parametrize(
    "written",
    [ANNA, f"{ANNA[:8]}-{ANNA[8:]}", ANNA[2:], f"{ANNA[2:8]}-{ANNA[8:]}"],
)
def test_personnummer_matches_in_every_form(written):
    # The roster writes it with ten digits and a dash, the account in any form.
    roster = [person(f"{ANNA[2:8]}-{ANNA[8:]}", "Anna Andersson")]
    [result] = classify([account("anna", pnr_text=written)], roster)
    assert result.match == M.PERSONAL_NUMBER
    assert result.category == C.OK
    assert result.person_masked == "19800101-****"


def test_samordningsnummer_matches():
    number = pnr("19800161", "123")
    [result] = classify([account("x", pnr_text=number[2:])], [person(number, "X")])
    assert result.match == M.PERSONAL_NUMBER


def test_wrong_check_digit_does_not_match_and_says_why():
    wrong = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
    [result] = classify(
        [account("anna", pnr_text=wrong, name="Okänd Namnsdotter")],
        [person(ANNA, "Anna Andersson")],
    )
    assert result.match == M.NONE
    assert result.category == C.UNKNOWN
    assert "Kontrollsiffran stämmer inte" in " ".join(result.remarks)


def test_name_only_match_is_uncertain_and_flagged():
    [result] = classify([account("anna", name="ANDERSSON, Anna")], [person(ANNA, "Anna Andersson")])
    assert result.match == M.NAME_UNCERTAIN
    assert result.category == C.OK
    assert result.is_flagged
    assert "endast på namn" in " ".join(result.remarks)


def test_an_ambiguous_name_is_no_match():
    people = [person(ANNA, "Anna Andersson"), person(pnr("19900101", "555"), "Anna Andersson")]
    [result] = classify([account("anna", name="Anna Andersson")], people)
    assert result.match == M.NONE
    assert result.category == C.UNKNOWN
    assert "2 personer" in " ".join(result.remarks)


def test_an_account_with_an_unknown_personnummer_is_not_matched_by_name():
    [result] = classify(
        [account("anna", pnr_text=pnr("19990101", "001"), name="Anna Andersson")],
        [person(ANNA, "Anna Andersson")],
    )
    assert result.match == M.NONE
    assert result.category == C.UNKNOWN


def test_employee_numbers_match_without_leading_zeros():
    [result] = classify([account("a", employee="001001")], [person(employee="1001", name="A")])
    assert result.match == M.EMPLOYEE_NUMBER


def test_ended_employment_is_left_and_future_end_is_employed():
    ended = person(ANNA, "Anna", end=TODAY - datetime.timedelta(days=1))
    [result] = classify([account("a", pnr_text=ANNA)], [ended])
    assert result.category == C.LEFT
    leaving = person(ANNA, "Anna", end=TODAY + datetime.timedelta(days=30))
    [result] = classify([account("a", pnr_text=ANNA)], [leaving])
    assert result.category == C.OK


def test_duplicate_roster_rows_count_the_current_employment():
    rows = [
        person(ANNA, "Anna", end=datetime.date(2020, 1, 31)),
        person(ANNA, "Anna", end=None),
        person(ANNA, "Anna", end=datetime.date(2024, 5, 31)),
    ]
    [result] = classify([account("a", pnr_text=ANNA)], rows)
    assert result.category == C.OK


def test_one_person_with_several_accounts_is_remarked():
    results = classify(
        [account("anna", pnr_text=ANNA), account("adm-anna", pnr_text=ANNA[2:])],
        [person(ANNA, "Anna")],
    )
    assert all("2 konton" in " ".join(r.remarks) for r in results)


def test_test_service_and_external_accounts():
    results = classify(
        [
            account("gistest1", name="Testanvändare"),
            account("svc_backup"),
            account(
                "rtj.jlindberg", pnr_text=pnr("19800101", "913"), unit="Räddningstjänsten Medelpad"
            ),
            account("okand", name="Okänd"),
        ],
        [person(ANNA, "Anna")],
    )
    assert [r.category for r in results] == [C.TEST, C.TEST, C.EXTERNAL, C.UNKNOWN]


def test_inactive_after_the_configured_days_and_without_login():
    people = [person(ANNA, "Anna")]
    old = TODAY - datetime.timedelta(days=91)
    [result] = classify([account("a", pnr_text=ANNA, last_login=old)], people)
    assert result.category == C.INACTIVE
    [result] = classify([account("a", pnr_text=ANNA, last_login=old)], people, inactive_days=120)
    assert result.category == C.OK
    [result] = classify([account("a", pnr_text=ANNA, last_login=None)], people)
    assert result.category == C.INACTIVE
    # Without a last-login column nobody is inactive.
    [result] = classify(
        [account("a", pnr_text=ANNA, last_login=None)], people, has_last_login=False
    )
    assert result.category == C.OK
