"""The WeasyPrint speed-up returns what pydyf's own property returns."""

from __future__ import annotations

import pydyf

from reports import rendering


def test_cached_page_references_match_pydyfs_own():
    rendering._weasy()  # applies the speed-up
    assert pydyf.PDF.page_references.fget is rendering._cached_page_references
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    expected = tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3])
    assert pdf.page_references == expected
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))  # a new page invalidates the cache
    assert len(pdf.page_references) == 4
    assert pdf.page_references[-1] == f"{pdf.pages['Kids'][-3]} 0 R".encode("ascii")
