from django.urls import path

from petitions import views

app_name = "petitions"
urlpatterns = [
    path("", views.petitions_home, name="home"),
]
