"""The site's URLconf plus placeholders for URL names that other apps have not built yet.

The base template's navigation and ``Finding``/``Action.get_absolute_url`` reverse names of the
findings, audits and systems apps, which are built in parallel branches. Until they are merged,
pages of the controls app cannot render without these names. A placeholder is added only for a
name that does not exist, so once the real views are merged this module adds nothing and the
tests run against the real URLconf.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from config import urls as site

NEEDED: dict[str, dict[str, str]] = {
    "findings": {
        "my_actions": "mina/",
        "finding_list": "",
        "action_list": "atgarder/",
        "finding_detail": "<int:pk>/",
        "action_detail": "atgarder/<int:pk>/",
    },
    "audits": {
        "audit_list": "",
        "audit_detail": "<int:pk>/",
        "recommendation_detail": "rekommendationer/<int:pk>/",
        "response_detail": "svar/<int:pk>/",
    },
    "systems": {
        "system_list": "",
        "system_detail": "<int:pk>/",
        "review_detail": "granskningar/<int:pk>/",
    },
}


def placeholder(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("placeholder for a page of another branch")


def _with_placeholders(resolver: URLResolver) -> URLResolver:
    have = {getattr(p, "name", None) for p in resolver.url_patterns}
    extra = [
        path(f"__placeholder__/{route}", placeholder, name=name)
        for name, route in NEEDED[resolver.namespace].items()
        if name not in have
    ]
    if not extra:
        return resolver
    patterns = [*resolver.url_patterns, *extra]
    return path(str(resolver.pattern), include((patterns, resolver.app_name)))


urlpatterns = [
    _with_placeholders(p) if isinstance(p, URLResolver) and p.namespace in NEEDED else p
    for p in site.urlpatterns
]
