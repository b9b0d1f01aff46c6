from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "logga-in/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisation/", include("organisation.urls")),
    path("internkontroll/", include("controls.urls")),
    path("avvikelser/", include("findings.urls")),
    path("granskningar/", include("audits.urls")),
    path("system/", include("systems.urls")),
    path("rapporter/", include("reports.urls")),
    path("notiser/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
