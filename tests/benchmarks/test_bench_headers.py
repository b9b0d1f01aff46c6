"""The benchmarks' opt-in timing headers (core.bench_headers, UPPSIKT_BENCH_HEADERS)."""

from __future__ import annotations

import re

from django.conf import settings


def test_off_by_default(client, db):
    assert "core.bench_headers.BenchHeadersMiddleware" not in settings.MIDDLEWARE
    response = client.get("/healthz")
    assert "X-Query-Count" not in response
    assert "Server-Timing" not in response


def test_switched_on_it_reports_time_and_queries(client, coordinator, client_for, settings):
    settings.MIDDLEWARE = ["core.bench_headers.BenchHeadersMiddleware", *settings.MIDDLEWARE]
    client_for(coordinator)
    response = client.get("/")
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) >= 3  # session, user, the start page's own queries
    assert re.fullmatch(r"app;dur=\d+\.\d, db;dur=\d+\.\d", response["Server-Timing"])
