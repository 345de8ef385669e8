from django.urls import path

from petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("moderation/", views.petition_moderation, name="moderation"),
    path("responses/", views.petition_responses, name="responses"),
    path("<int:petition_id>/respond/", views.petition_respond, name="respond"),
    path("unsubscribe/<str:token>/", views.petition_unsubscribe, name="unsubscribe"),
    path("<int:petition_id>/", views.petition_detail, name="detail"),
    path("<int:petition_id>/sign/", views.petition_sign, name="sign"),
    path("<int:petition_id>/moderate/", views.petition_moderate, name="moderate"),
    path("confirm/<str:token>/", views.petition_confirm, name="confirm"),
]
