from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("mina/", views.board_reports, name="board_reports"),
    path("bestall/", views.report_create, name="report_create"),
    path("forhandsgranska/", views.report_preview, name="report_preview"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/ladda-ned/", views.report_download, name="report_download"),
    path("<int:pk>/ny-version/", views.report_regenerate, name="report_regenerate"),
    path("<int:pk>/forsok-igen/", views.report_retry, name="report_retry"),
    path("<int:pk>/skickad/", views.report_mark_sent, name="report_mark_sent"),
    path("<int:pk>/inte-skickad/", views.report_unmark_sent, name="report_unmark_sent"),
]
