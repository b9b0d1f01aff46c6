"""URL names of apps that other branches build, as placeholders, for tests of this branch.

The navigation (``templates/includes/nav.html``) and ``get_absolute_url`` of other apps' models
name URLs such as ``controls:my_controls`` and ``systems:system_detail``. Until those apps'
views are merged, every page that extends ``base.html`` would fail to render in tests. This
URLconf is the project's own, plus a placeholder view for each such name that does not exist
yet; once the real view exists, its placeholder is not added. Tests opt in with
``settings.ROOT_URLCONF = "tests.stub_urls"``.
"""

from django.http import HttpResponse
from django.urls import URLResolver, include, re_path

from config import urls as project_urls

NEEDED = {
    "controls": ["my_controls", "plan_list", "plan_detail", "point_detail", "occurrence_detail"],
    "systems": ["system_list", "system_detail", "review_detail"],
    "reports": ["report_list", "report_detail"],
    "organisation": ["unit_list", "unit_detail"],
}


def placeholder(request, **kwargs):
    return HttpResponse("placeholder", content_type="text/plain")


def _names(patterns) -> set[str]:
    return {getattr(p, "name", None) for p in patterns} - {None}


urlpatterns = []
for pattern in project_urls.urlpatterns:
    if isinstance(pattern, URLResolver) and pattern.app_name in NEEDED:
        existing = list(pattern.url_patterns)
        missing = [n for n in NEEDED[pattern.app_name] if n not in _names(existing)]
        extra = [
            re_path(rf"^__placeholder__/{name}/(?:(?P<pk>\d+)/)?$", placeholder, name=name)
            for name in missing
        ]
        pattern = re_path(
            pattern.pattern.regex.pattern,
            include((existing + extra, pattern.app_name), namespace=pattern.namespace),
        )
    urlpatterns.append(pattern)
