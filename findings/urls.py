from django.urls import path

from findings.views import actions, dashboard, findings

app_name = "findings"

urlpatterns = [
    path("", findings.finding_list, name="finding_list"),
    path("export.<str:fmt>", findings.finding_export, name="finding_export"),
    path("oversikt/", dashboard.dashboard, name="dashboard"),
    path("ny/", findings.finding_create, name="finding_create"),
    path("<int:pk>/", findings.finding_detail, name="finding_detail"),
    path("<int:pk>/andra/", findings.finding_edit, name="finding_edit"),
    path("<int:pk>/paborja/", findings.finding_start, name="finding_start"),
    path("<int:pk>/atgardad/", findings.finding_remedied, name="finding_remedied"),
    path("<int:pk>/verifiera/", findings.finding_verify, name="finding_verify"),
    path("<int:pk>/acceptera-risk/", findings.finding_accept_risk, name="finding_accept_risk"),
    path("<int:pk>/ateroppna/", findings.finding_reopen, name="finding_reopen"),
    path("<int:finding_pk>/atgarder/ny/", actions.action_create, name="finding_action_create"),
    path("underlag/<int:pk>/", findings.finding_evidence_download, name="finding_evidence"),
    # Actions
    path("atgarder/", actions.action_list, name="action_list"),
    path("atgarder/export.<str:fmt>", actions.action_export, name="action_export"),
    path("atgarder/ny/", actions.action_create, name="action_create"),
    path("atgarder/<int:pk>/", actions.action_detail, name="action_detail"),
    path("atgarder/<int:pk>/andra/", actions.action_edit, name="action_edit"),
    path("atgarder/<int:pk>/paborja/", actions.action_start, name="action_start"),
    path("atgarder/<int:pk>/genomford/", actions.action_complete, name="action_complete"),
    path("atgarder/<int:pk>/lagesrapport/", actions.action_progress, name="action_progress"),
    path("atgarder/<int:pk>/utgar/", actions.action_cancel, name="action_cancel"),
    path("atgarder/<int:pk>/ateroppna/", actions.action_reopen, name="action_reopen"),
    path("atgarder/<int:pk>/overfor/", actions.action_carry_over, name="action_carry_over"),
    path("atgarder/underlag/<int:pk>/", actions.action_evidence_download, name="action_evidence"),
    path("mina-atgarder/", actions.my_actions, name="my_actions"),
    path("mina-atgarder/<int:pk>/", actions.my_action_update, name="my_action_update"),
]
