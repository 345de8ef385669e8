from django.urls import path

from monitoring.approvals import views

app_name = "approvals"
urlpatterns = [
    path("<int:case_id>/", views.case_detail, name="case"),
]
