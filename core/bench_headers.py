"""Opt-in timing headers for the benchmarks (``UPPSIKT_BENCH_HEADERS=1``; off by default).

When switched on, every response carries how long the server took and how many SQL queries it
ran, so that ``make bench`` can measure pages through gunicorn without a debug toolbar:

* ``Server-Timing: app;dur=12.3, db;dur=4.5`` — milliseconds in Django (all middleware, the
  view and the template) and, of that, in the database;
* ``X-Query-Count: 9`` — the number of queries.

It wraps the database connection with ``execute_wrapper`` for the length of the request only.
Never switch it on in production: the headers tell a visitor about the server's work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class _Counter:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class BenchHeadersMiddleware:
    """Outermost middleware (settings put it first when the variable is on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _Counter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        response["Server-Timing"] = (
            f"app;dur={elapsed * 1000:.1f}, db;dur={counter.seconds * 1000:.1f}"
        )
        response["X-Query-Count"] = str(counter.count)
        return response
