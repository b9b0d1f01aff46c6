"""List pages: pagination that survives bad ``?page=`` values, sorting through an allow-list.

In a view::

    qs = apply_sort(request, policy.findings(request.user), SORTS, default="-created_at")
    page_obj = paginate(request, qs)
    return render(request, "findings/finding_list.html", {
        "page_obj": page_obj, "sort": current_sort(request, SORTS, "-created_at"),
    })

and ``{% include "includes/pagination.html" %}`` in the template.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """The page named by ``?page=``: not a number or below 1 → page 1, too large → last page."""
    raw = request.GET.get("page", "")
    try:
        number = max(int(raw), 1)
    except (TypeError, ValueError):
        number = 1
    # get_page() turns a number past the end into the last page (and an empty list into page 1).
    return Paginator(queryset, per_page).get_page(number)


def current_sort(request: HttpRequest, allowed: Mapping[str, str], default: str) -> str:
    """The ``?sort=`` key if it is allowed (``"name"`` or ``"-name"``), else ``default``."""
    requested = request.GET.get("sort", "")
    if requested.removeprefix("-") in allowed:
        return requested
    return default


def apply_sort(
    request: HttpRequest, queryset: QuerySet, allowed: Mapping[str, str], default: str
) -> QuerySet:
    """Order ``queryset`` by ``?sort=``, mapped through ``allowed`` (public key → model field).

    ``allowed = {"title": "title", "unit": "unit__name", "due": "deadline"}``; ``?sort=-due``
    orders by ``-deadline``. User input never reaches ``order_by``: an unknown key falls back
    to ``default`` (itself a key of ``allowed``, optionally with ``-``). The primary key is
    added last so that pages do not overlap or skip rows with equal values.
    """
    key = current_sort(request, allowed, default)
    descending = key.startswith("-")
    field = allowed[key.removeprefix("-")]
    if descending:
        field = field.removeprefix("-") if field.startswith("-") else f"-{field}"
    return queryset.order_by(field, "-pk" if descending else "pk")
