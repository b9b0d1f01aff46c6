from django.urls import path

from controls.views import imports, occurrences, plans, points

app_name = "controls"

urlpatterns = [
    # Plans
    path("", plans.plan_list, name="plan_list"),
    path("planer/ny/", plans.plan_create, name="plan_create"),
    path("planer/importera/", imports.plan_import_new, name="plan_import_new"),
    path("planer/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("planer/<int:pk>/andra/", plans.plan_edit, name="plan_edit"),
    path("planer/<int:pk>/ta-bort/", plans.plan_delete, name="plan_delete"),
    path("planer/<int:pk>/faststall/", plans.plan_adopt, name="plan_adopt"),
    path("planer/<int:pk>/slutredovisa/", plans.plan_final_report, name="plan_final_report"),
    path("planer/<int:pk>/kopiera/", plans.plan_copy, name="plan_copy"),
    path("planer/<int:pk>/oversikt/", plans.plan_overview_view, name="plan_overview"),
    path("planer/<int:pk>/export.xlsx", imports.plan_export, name="plan_export"),
    path("planer/<int:pk>/importera/", imports.plan_import, name="plan_import"),
    path("planer/<int:plan_pk>/kontrollpunkter/ny/", points.point_create, name="point_create"),
    path("import/<uuid:pk>/", imports.import_preview, name="import_preview"),
    path("importmall.xlsx", imports.import_template, name="import_template"),
    # Control points
    path("kontrollpunkter/", points.point_list, name="point_list"),
    path("kontrollpunkter/<int:pk>/", points.point_detail, name="point_detail"),
    path("kontrollpunkter/<int:pk>/andra/", points.point_edit, name="point_edit"),
    path("kontrollpunkter/<int:pk>/ta-bort/", points.point_delete, name="point_delete"),
    # Occurrences
    path("mina-kontroller/", occurrences.my_controls, name="my_controls"),
    path("kontroller/", occurrences.occurrence_list, name="occurrence_list"),
    path("kontroller/<int:pk>/", occurrences.occurrence_detail, name="occurrence_detail"),
    path("kontroller/<int:pk>/resultat/", occurrences.occurrence_log, name="occurrence_log"),
    path(
        "kontroller/<int:pk>/ej-genomford/",
        occurrences.occurrence_not_done,
        name="occurrence_not_done",
    ),
    path("underlag/<int:pk>/", occurrences.evidence_download, name="evidence_download"),
    # Risk
    path("riskmatris/", plans.risk_matrix_view, name="risk_matrix"),
    path("riskskala/", plans.risk_scale_view, name="risk_scale"),
]
