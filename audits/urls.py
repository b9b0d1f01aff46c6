from django.urls import path

from audits.views import audits, responses

app_name = "audits"

urlpatterns = [
    path("", audits.audit_list, name="audit_list"),
    path("ny/", audits.audit_create, name="audit_create"),
    path("<int:pk>/", audits.audit_detail, name="audit_detail"),
    path("<int:pk>/andra/", audits.audit_edit, name="audit_edit"),
    path("<int:pk>/rapport/", audits.audit_report, name="audit_report"),
    path("<int:pk>/uppfoljning/", audits.follow_up_create, name="follow_up_create"),
    path("<int:pk>/bedomningar/", audits.assessments_edit, name="assessments_edit"),
    path("<int:pk>/iakttagelser/ny/", audits.observation_create, name="observation_create"),
    path("iakttagelser/<int:pk>/andra/", audits.observation_edit, name="observation_edit"),
    path(
        "<int:pk>/rekommendationer/ny/",
        audits.recommendation_create,
        name="recommendation_create",
    ),
    path("rekommendationer/", audits.recommendation_list, name="recommendation_list"),
    path(
        "rekommendationer/export.<str:fmt>",
        audits.recommendation_export,
        name="recommendation_export",
    ),
    path("rekommendationer/<int:pk>/", audits.recommendation_detail, name="recommendation_detail"),
    path(
        "rekommendationer/<int:pk>/andra/",
        audits.recommendation_edit,
        name="recommendation_edit",
    ),
    # Board responses (yttranden)
    path("yttranden/", responses.response_list, name="response_list"),
    path("<int:pk>/yttranden/nytt/", responses.response_create, name="response_create"),
    path("yttranden/<int:pk>/", responses.response_detail, name="response_detail"),
    path("yttranden/<int:pk>/andra/", responses.response_edit, name="response_edit"),
    path("yttranden/<int:pk>/svar/nytt/", responses.response_item_create, name="item_create"),
    path("svar/<int:pk>/atgarder/ny/", responses.item_action_create, name="item_action_create"),
    path(
        "yttranden/<int:pk>/undertecknare/ny/",
        responses.signatory_create,
        name="signatory_create",
    ),
    path("undertecknare/<int:pk>/ta-bort/", responses.signatory_delete, name="signatory_delete"),
    path("yttranden/<int:pk>/beslut/", responses.response_decide, name="response_decide"),
    path("yttranden/<int:pk>/expediera/", responses.response_dispatch, name="response_dispatch"),
]
