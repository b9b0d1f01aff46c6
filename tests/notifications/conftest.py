from __future__ import annotations

import pytest

from config.celery import app as celery_app
from tests.notifications import urls as fallback_urls


@pytest.fixture(autouse=True)
def _item_pages(settings):
    """Link targets of reminders: the real pages, or placeholders where none exist yet."""
    if fallback_urls.missing_names():
        settings.ROOT_URLCONF = "tests.notifications.urls"


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process here, even with REDIS_URL set; the worker tests opt out."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved
