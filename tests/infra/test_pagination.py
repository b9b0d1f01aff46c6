"""List pages survive bad ``?page=`` and ``?sort=`` values."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.pagination import apply_sort, current_sort, paginate
from organisation.models import Municipality
from tests import factories as f

SORTS = {"name": "name", "slug": "slug"}


@pytest.fixture
def municipalities(db):
    # 60 rows, names in the reverse order of their primary keys.
    return [f.MunicipalityFactory(name=f"Kommun {99 - i:02d}", slug=f"k{i:02d}") for i in range(60)]


def get(query: str = ""):
    return RequestFactory().get(f"/lista/?{query}")


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("", 1),
        ("page=2", 2),
        ("page=3", 3),
        ("page=abc", 1),
        ("page=0", 1),
        ("page=-4", 1),
        ("page=2.5", 1),
        ("page=999", 3),
        ("page=99999999999999999999999", 3),
    ],
)
def test_paginate_never_fails_on_the_page_parameter(municipalities, query, number):
    page = paginate(get(query), Municipality.objects.order_by("pk"))
    assert page.number == number
    assert page.paginator.num_pages == 3


def test_paginate_pages_hold_per_page_rows(municipalities):
    page = paginate(get("page=3"), Municipality.objects.order_by("pk"), per_page=25)
    assert len(page.object_list) == 10
    assert list(page.object_list) == municipalities[50:]


def test_an_empty_list_is_page_one(db):
    page = paginate(get("page=5"), Municipality.objects.order_by("pk"))
    assert page.number == 1
    assert list(page.object_list) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=name", "name"),
        ("sort=-name", "-name"),
        ("sort=password", "slug"),
        ("sort=-id;DROP TABLE", "slug"),
        ("sort=--name", "slug"),
        ("", "slug"),
    ],
)
def test_current_sort_uses_the_allow_list(query, expected):
    assert current_sort(get(query), SORTS, "slug") == expected


def test_apply_sort_orders_by_the_mapped_field(municipalities):
    names = [
        m.name for m in apply_sort(get("sort=name"), Municipality.objects.all(), SORTS, "slug")
    ]
    assert names == sorted(names)
    names = [
        m.name for m in apply_sort(get("sort=-name"), Municipality.objects.all(), SORTS, "slug")
    ]
    assert names == sorted(names, reverse=True)


def test_apply_sort_ignores_fields_outside_the_allow_list(municipalities):
    qs = apply_sort(get("sort=-pk"), Municipality.objects.all(), SORTS, "slug")
    assert qs.query.order_by == ("slug", "pk")


def test_apply_sort_maps_public_keys_to_model_fields():
    qs = apply_sort(
        get("sort=-unit"), Municipality.objects.all(), {"unit": "units__name"}, default="unit"
    )
    assert qs.query.order_by == ("-units__name", "-pk")
