from django.urls import path

from cases import views

app_name = "teach"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
]
