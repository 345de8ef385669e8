from django.urls import path

from participation import views

app_name = "participation"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("follow/", views.follow, name="follow"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
