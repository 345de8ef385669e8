from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/<uuid:public_id>/", views.alert_detail, name="alert"),
    path("alerts/<uuid:public_id>/move/", views.alert_move, name="alert_move"),
    path("alerts/<uuid:public_id>/task/", views.task_create, name="task_create"),
    path("alerts/<uuid:public_id>/task/result/", views.task_result, name="task_result"),
    path("entities/", views.entity_search, name="entities"),
    path("entities/<int:entity_id>/", views.entity_detail, name="entity"),
    path("procurement/<path:ocid>/", views.process_detail, name="process"),
]
