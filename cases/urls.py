from django.urls import path

from cases import views

app_name = "teach"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", views.resolve_report, name="resolve_report"),
]
