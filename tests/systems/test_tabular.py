"""Reading uploads: encodings, separators, Excel, bad files; personnummer never kept in clear."""

from __future__ import annotations

import io
import os

import pytest

from systems import tabular
from tests.systems.conftest import TODAY, pnr, xlsx_file

ANNA = pnr("19800101", "123")


def read(data: bytes, name="f.csv"):
    return tabular.read_table(io.BytesIO(data), name=name, today=TODAY)


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8-sig", ","), ("cp1252", "\t")],
)
def test_swedish_csv_exports(encoding, sep):
    text = (
        sep.join(["Användare", "Namn", "Enhet"])
        + "\r\n"
        + sep.join(["åsa", "Åsa Öberg", "Räddningstjänsten"])
        + "\r\n"
    )
    table = read(text.encode(encoding))
    assert table.header == ["Användare", "Namn", "Enhet"]
    assert table.rows == [["åsa", "Åsa Öberg", "Räddningstjänsten"]]
    assert table.row_numbers == [2]


def test_xlsx_with_personnummer_typed_as_a_number():
    upload = xlsx_file(
        "k.xlsx", [["Konto", "Personnummer"], ["anna", int(ANNA)], [None, None], ["bo", "x"]]
    )
    table = tabular.read_table(upload, name="k.xlsx", today=TODAY)
    assert table.row_numbers == [2, 4]
    token = tabular.as_pnr(table.rows[0][1])
    assert token is not None and token.valid and token.masked == "19800101-****"


def test_xlsx_number_that_lost_its_leading_zero_is_still_a_personnummer():
    """Born 2005: 0505051235 typed as a number is 505051235 in the workbook."""
    born_2005 = pnr("20050505", "123")  # 12 digits; the 10-digit form starts with 0
    ten = born_2005[2:]
    assert ten.startswith("0")
    upload = xlsx_file("k.xlsx", [["Konto", "Personnummer"], ["elin", int(ten)], ["nr", 123456789]])
    table = tabular.read_table(upload, name="k.xlsx", today=TODAY)
    token = tabular.as_pnr(table.rows[0][1])
    assert token is not None and token.valid and token.masked == "20050505-****"
    assert ten[1:] not in repr(table.rows)
    assert table.rows[1][1] == "123456789"  # not a personnummer with a zero in front: kept


def test_personnummer_are_reduced_on_the_way_in():
    data = f"Konto;Pnr;Kommentar\r\nanna;{ANNA[2:8]}-{ANNA[8:]};Anställd, pnr {ANNA} enligt HR\r\n".encode()
    table = read(data)
    packed = tabular.pack(table)
    unpacked = tabular.unpack(packed, table.header)
    for digits in (ANNA, ANNA[2:], ANNA[8:]):
        assert digits not in repr(unpacked.rows)
    assert tabular.display(unpacked.rows[0][1]) == "19800101-****"
    assert "19800101-****" in unpacked.rows[0][2]  # masked inside the text too


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "tom"),
        (b"\r\n \r\n", "tom"),
        (b"Konto;Namn\r\n", "inga rader"),
        (b"Konto;Namn\r\na;b;c;d\r\n", "Rad 2"),
        (b"Konto\x00;Namn\r\n", "binära data"),
        (b"Konto;Namn\r\n\x81\x8d\x8f\x90;x\r\n", "teckenkodning"),
    ],
)
def test_bad_files_give_swedish_messages(data, message):
    with pytest.raises(tabular.TableError) as error:
        read(data)
    assert message in str(error.value)


def test_garbage_xlsx_is_refused_in_swedish():
    with pytest.raises(tabular.TableError) as error:
        read(os.urandom(2048), name="k.xlsx")
    assert "Excel-filen" in str(error.value)


def test_duplicate_and_empty_header_names_are_told_apart():
    table = read(b"Namn;;Namn\r\na;b;c\r\n")
    assert table.header == ["Namn", "Kolumn 2", "Namn (2)"]
