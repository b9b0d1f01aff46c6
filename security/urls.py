from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("handelser.csv", views.event_export, name="event_export"),
    path("sparrar/", views.lockout_list, name="lockout_list"),
    path("sparrar/las-upp/", views.lockout_unlock, name="lockout_unlock"),
    path("losenord/", views.password_change, name="password_change"),
    path("sessioner/logga-ut-alla/", views.end_all_sessions, name="end_all_sessions"),
    path("tvafaktor/", views.otp_setup, name="otp_setup"),
    path("tvafaktor/verifiera/", views.otp_verify, name="otp_verify"),
    path("tvafaktor/reservkoder/", views.recovery_codes, name="recovery_codes"),
]
