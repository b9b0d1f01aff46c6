import hashlib
import hmac

import pytest

from systems.personnummer import hash_personnummer, mask_personnummer


def test_hash_is_hmac_sha256_with_the_configured_key(settings):
    settings.PERSONNUMMER_HMAC_KEY = "nyckel-1"
    expected = hmac.new(b"nyckel-1", b"198001011234", hashlib.sha256).hexdigest()
    assert hash_personnummer("198001011234") == expected
    settings.PERSONNUMMER_HMAC_KEY = "nyckel-2"
    assert hash_personnummer("198001011234") != expected


def test_mask_keeps_the_birth_date_only():
    assert mask_personnummer("198001011234") == "19800101-****"


@pytest.mark.parametrize(
    "bad", ["8001011234", "19800101-1234", "19800101123a", "１９８００１０１１２３４", "", None]
)
def test_only_the_normalised_twelve_digits_are_accepted(bad):
    with pytest.raises(ValueError):
        hash_personnummer(bad)
    with pytest.raises(ValueError):
        mask_personnummer(bad)


# --- parsing: every written form, check digits, dates, samordningsnummer -------------------------

import datetime  # noqa: E402

from systems import personnummer  # noqa: E402
from systems.personnummer import PersonnummerError, check_digit, parse  # noqa: E402

TODAY = datetime.date(2026, 6, 10)
VALID = "19800101" + "123" + check_digit("800101123")  # 198001011230 or similar


@pytest.mark.parametrize(
    "written",
    [
        VALID,
        f"{VALID[:8]}-{VALID[8:]}",
        VALID[2:],
        f"{VALID[2:8]}-{VALID[8:]}",
        f" {VALID[2:8]}-{VALID[8:]} ",
    ],
)
def test_every_form_normalises_to_twelve_digits(written):
    assert parse(written, today=TODAY).digits == VALID


def test_plus_means_a_hundred_years_or_older():
    old = "19150301" + "234" + check_digit("150301234")
    assert parse(f"{old[2:8]}+{old[8:]}", today=TODAY).digits == old
    # Without "+" the same ten digits are someone born in 2015.
    assert parse(f"{old[2:8]}-{old[8:]}", today=TODAY).digits == "20" + old[2:]


def test_century_is_inferred_from_the_day_of_parsing():
    serial = "123" + check_digit("260701123")
    # 1 July 2026 has not come yet on 10 June 2026: the person was born in 1926.
    assert parse("260701" + serial, today=TODAY).digits.startswith("1926")
    assert parse("260701" + serial, today=datetime.date(2026, 7, 1)).digits.startswith("2026")


def test_a_wrong_check_digit_is_refused():
    wrong = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
    with pytest.raises(PersonnummerError) as error:
        parse(wrong, today=TODAY)
    assert error.value.code == "checksum"
    assert "Kontrollsiffran" in str(error.value)
    assert wrong not in str(error.value)  # the message never repeats the number


@pytest.mark.parametrize(
    "text", ["19801301-1234", "800230-1234", "1980010", "abc", "", "198001011234567"]
)
def test_impossible_dates_and_shapes_are_refused(text):
    with pytest.raises(PersonnummerError):
        parse(text, today=TODAY)


def test_samordningsnummer_has_sixty_added_to_the_day():
    number = "19800161" + "123" + check_digit("800161123")
    parsed = parse(number, today=TODAY)
    assert parsed.is_coordination_number
    assert parsed.birth_date == datetime.date(1980, 1, 1)
    assert parsed.masked == "19800161-****"


def test_29_february_only_in_leap_years():
    leap = "20000229" + "123" + check_digit("000229123")
    assert parse(leap, today=TODAY).birth_date == datetime.date(2000, 2, 29)
    with pytest.raises(PersonnummerError):
        parse("20010229" + "123" + check_digit("010229123"), today=TODAY)


def test_hash_and_mask_of_a_parsed_number_match_the_module_functions():
    parsed = parse(f"{VALID[2:8]}-{VALID[8:]}", today=TODAY)
    assert parsed.hashed == hash_personnummer(VALID)
    assert parsed.masked == mask_personnummer(VALID) == f"{VALID[:8]}-****"
    assert personnummer.normalise(VALID[2:], today=TODAY) == VALID
    assert personnummer.mask_text(f"{VALID[2:8]}-{VALID[8:]}") == f"{VALID[2:8]}-****"
