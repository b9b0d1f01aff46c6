"""The project's URLs, with stand-ins for navigation targets of apps not yet on main.

Only names that do not resolve are stubbed, so once the other apps land this adds nothing.
Used by the report tests only (see ``tests/reports/conftest.py``).
"""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from config.urls import urlpatterns as project_urls

STUBS = {
    "controls": ["my_controls", "plan_list"],
    "findings": ["my_actions", "finding_list", "action_list"],
    "audits": ["audit_list"],
    "systems": ["system_list"],
}


def _stub(request):
    return HttpResponse("stub")


def _with_stubs(resolver: URLResolver) -> URLResolver:
    patterns = list(resolver.url_patterns)
    have = {getattr(p, "name", None) for p in patterns}
    extra = [
        path(f"__stub__/{n}/", _stub, name=n) for n in STUBS[resolver.app_name] if n not in have
    ]
    return path(str(resolver.pattern), include((patterns + extra, resolver.app_name)))


urlpatterns = [
    _with_stubs(p) if isinstance(p, URLResolver) and p.app_name in STUBS else p
    for p in project_urls
]
