from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("new/", views.report_new, name="new"),
    path("check/", views.report_check, name="check"),
    path("case/", views.report_case, name="case"),
    path("case/add/", views.report_add, name="add"),
    path("case/evaluate/", views.report_evaluate, name="evaluate"),
    path("case/leave/", views.report_leave, name="leave"),
    path("cases/", views.case_list, name="staff_list"),
    path("cases/<uuid:public_id>/", views.case_detail, name="staff_detail"),
    path("cases/<uuid:public_id>/act/", views.case_act, name="staff_act"),
    path("cases/<uuid:public_id>/extend/", views.case_extend, name="staff_extend"),
    path("cases/<uuid:public_id>/reply/", views.case_reply, name="staff_reply"),
    path("cases/<uuid:public_id>/assign/", views.case_assign, name="staff_assign"),
    path("cases/<uuid:public_id>/identity/", views.case_reveal, name="staff_reveal"),
    path("cases/<uuid:public_id>/attachments/<int:attachment_id>/", views.case_attachment, name="staff_attachment"),
]
