from django.urls import path

from cases.views import cases, reports

app_name = "teach"
urlpatterns = [
    path("", cases.home, name="home"),
    path("cases/", cases.case_list, name="cases"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", reports.resolve_report, name="resolve_report"),
]
