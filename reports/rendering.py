"""HTML → archival PDF with WeasyPrint.

The PDF is PDF/A-2a (``settings.REPORTS_PDF_VARIANT``): level A means *tagged* (a structure tree
for screen readers) with Unicode text, and PDF/A embeds every font and the sRGB output intent.
Title, language (``<html lang="sv">``), author, subject, keywords and creation date come from the
document's ``<head>``. The stylesheet (``reports/static/reports/report.css``) is parsed once per
process and reused, as is WeasyPrint's font configuration.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from reports.documents import Document

STYLESHEET = "reports/report.css"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    variant: str


def render_html(document: Document, *, preview: bool = False) -> str:
    return render_to_string(document.template, {**document.context, "preview": preview})


def _cached_page_references(pdf) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_uppsikt_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_uppsikt_page_references"] = cached
    return cached[1]


def _speed_up_tagging() -> None:
    """Make WeasyPrint's tagging linear instead of quadratic.

    For every tagged element, WeasyPrint 70 (``weasyprint/pdf/tags.py``) reads
    ``pdf.page_references``, a pydyf property that rebuilds a tuple of *all* pages on each
    access: pages × elements work, about a second for an 80-page action plan on our servers. The
    replacement caches the tuple until a page is added, so it returns the same value. Applied
    only when pydyf still has that property (tests/reports/test_rendering.py checks it)."""
    import pydyf

    current = getattr(pydyf.PDF, "page_references", None)
    if isinstance(current, property) and current.fget is not _cached_page_references:
        pydyf.PDF.page_references = property(_cached_page_references)


@functools.cache
def _weasy() -> tuple:
    """WeasyPrint's font configuration and our parsed stylesheet, made once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    _speed_up_tagging()
    path = finders.find(STYLESHEET)
    if path is None:  # pragma: no cover - a packaging error
        raise FileNotFoundError(STYLESHEET)
    font_config = FontConfiguration()
    return font_config, CSS(filename=str(path), font_config=font_config)


def html_to_pdf(html: str) -> RenderedPdf:
    from weasyprint import HTML

    font_config, stylesheet = _weasy()
    variant = settings.REPORTS_PDF_VARIANT
    document = HTML(string=html, base_url=str(Path(settings.BASE_DIR))).render(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant=variant
    )
    content = document.write_pdf(pdf_variant=variant)
    return RenderedPdf(content=content, page_count=len(document.pages), variant=variant)


def render_pdf(document: Document) -> RenderedPdf:
    return html_to_pdf(render_html(document))
