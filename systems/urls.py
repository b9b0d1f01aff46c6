from django.urls import path

from systems.views import registry, reviews

app_name = "systems"

urlpatterns = [
    # The register
    path("", registry.system_list, name="system_list"),
    path("export.xlsx", registry.system_export, name="system_export"),
    path("importera/", registry.system_import, name="system_import"),
    path("nytt/", registry.system_create, name="system_create"),
    path("<int:pk>/", registry.system_detail, name="system_detail"),
    path("<int:pk>/andra/", registry.system_edit, name="system_edit"),
    path("<int:pk>/klassning/", registry.classification_add, name="classification_add"),
    path("<int:pk>/forvaltningsplan/", registry.plan_edit, name="plan_add"),
    path("<int:pk>/forvaltningsplan/<int:plan_pk>/", registry.plan_edit, name="plan_edit"),
    path("<int:pk>/integrationer/ny/", registry.integration_add, name="integration_add"),
    path(
        "<int:pk>/integrationer/<int:integration_pk>/ta-bort/",
        registry.integration_remove,
        name="integration_remove",
    ),
    path("<int:pk>/roller/ny/", registry.role_add, name="role_add"),
    path("<int:pk>/roller/<int:role_pk>/ta-bort/", registry.role_remove, name="role_remove"),
    # Access reviews
    path("behorighetsgranskningar/", reviews.review_list, name="review_list"),
    path("<int:pk>/behorighetsgranskning/ny/", reviews.review_create, name="review_create"),
    path("behorighetsgranskningar/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("behorighetsgranskningar/<int:pk>/filer/", reviews.review_upload, name="review_upload"),
    path(
        "behorighetsgranskningar/<int:pk>/kolumner/", reviews.review_mapping, name="review_mapping"
    ),
    path(
        "behorighetsgranskningar/<int:pk>/konton/<int:item_pk>/beslut/",
        reviews.item_decide,
        name="item_decide",
    ),
    path(
        "behorighetsgranskningar/<int:pk>/beslut/",
        reviews.review_bulk_decide,
        name="review_bulk_decide",
    ),
    path(
        "behorighetsgranskningar/<int:pk>/slutfor/",
        reviews.review_complete,
        name="review_complete",
    ),
    path("behorighetsgranskningar/<int:pk>/rapport/", reviews.review_report, name="review_report"),
    path(
        "behorighetsgranskningar/<int:pk>/rapport.csv",
        reviews.review_report_csv,
        name="review_report_csv",
    ),
]
