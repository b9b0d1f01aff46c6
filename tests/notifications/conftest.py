from __future__ import annotations

import pytest

from tests.notifications import urls as fallback_urls


@pytest.fixture(autouse=True)
def _item_pages(settings):
    """Link targets of reminders: the real pages, or placeholders where none exist yet."""
    if fallback_urls.missing_names():
        settings.ROOT_URLCONF = "tests.notifications.urls"
