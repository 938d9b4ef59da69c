from django.urls import path

from quizzes.views import cohorts, exam
from quizzes.views import learner as views

app_name = "quizzes"
urlpatterns = [
    path("practice/", views.quiz_list, name="list"),
    path("practice/weakest-signs/", views.start_weakest, name="start_weakest"),
    path("practice/<slug:slug>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.resume, name="resume"),
    path("attempts/<int:attempt_id>/cases/<int:position>/", views.case, name="case"),
    path("attempts/<int:attempt_id>/cases/<int:position>/report/", views.report, name="report"),
    path("attempts/<int:attempt_id>/summary/", views.summary, name="summary"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("cohorts/join/", cohorts.join, name="join_cohort"),
    path("exams/", exam.exam_list, name="exams"),
    path("exams/<int:assessment_id>/start/", exam.exam_start, name="exam_start"),
    path("exams/attempts/<int:attempt_id>/", exam.exam_done, name="exam_done"),
    path("exams/attempts/<int:attempt_id>/submit/", exam.exam_submit, name="exam_submit"),
    path("exams/attempts/<int:attempt_id>/cases/<int:position>/", exam.exam_case, name="exam_case"),
    path(
        "exams/attempts/<int:attempt_id>/cases/<int:position>/save/",
        exam.exam_save,
        name="exam_save",
    ),
]
