from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("enheter/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("beslut/", views.decision_list, name="decision_list"),
    path("beslut/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("mitt-konto/", views.my_account, name="my_account"),
]
