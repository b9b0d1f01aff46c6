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


@functools.cache
def _weasy() -> tuple:
    """WeasyPrint's font configuration and our parsed stylesheet, made once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

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
