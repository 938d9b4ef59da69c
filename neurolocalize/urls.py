from django.contrib import admin
from django.urls import include, path

from neurolocalize import views

admin.site.site_header = "NeuroLocalize administration"
admin.site.site_title = "NeuroLocalize"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/logout/", views.logout, name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("after-login/", views.landing, name="landing"),
    path("teach/", include("cases.urls")),
    path("admin/", admin.site.urls),
    path("", include("quizzes.urls")),
]
