from django.urls import path

from cases.views import bank, cases, editor, reports, sources
from quizzes.views import assessments as assessment_views
from quizzes.views import cohorts as cohort_views
from quizzes.views import teach as quiz_builder

app_name = "teach"
urlpatterns = [
    path("", cases.home, name="home"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", editor.case_new, name="case_new"),
    path("cases/check/", editor.case_check, name="case_check"),
    path("cases/<int:case_id>/", editor.case_detail, name="case"),
    path("cases/<int:case_id>/edit/", editor.case_edit, name="case_edit"),
    path("cases/<int:case_id>/history/", editor.case_history, name="case_history"),
    path("cases/<int:case_id>/preview/", editor.case_preview, name="case_preview"),
    path("cases/<int:case_id>/<slug:step>/", editor.case_transition, name="case_step"),
    path("review/", editor.review_queue, name="review"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", reports.resolve_report, name="resolve_report"),
    path("quizzes/", quiz_builder.quiz_list, name="quizzes"),
    path("quizzes/new/", quiz_builder.quiz_new, name="quiz_new"),
    path("quizzes/<int:quiz_id>/", quiz_builder.quiz_edit, name="quiz_edit"),
    path("quizzes/<int:quiz_id>/rule/", quiz_builder.quiz_rule, name="quiz_rule"),
    path("quizzes/<int:quiz_id>/cases/add/", quiz_builder.quiz_add_case, name="quiz_add_case"),
    path("quizzes/<int:quiz_id>/cases/move/", quiz_builder.quiz_move_case, name="quiz_move_case"),
    path(
        "quizzes/<int:quiz_id>/cases/remove/",
        quiz_builder.quiz_remove_case,
        name="quiz_remove_case",
    ),
    path("quizzes/<int:quiz_id>/preview/", quiz_builder.quiz_preview, name="quiz_preview"),
    path("quizzes/<int:quiz_id>/publish/", quiz_builder.quiz_publish, name="quiz_publish"),
    path("quizzes/<int:quiz_id>/unpublish/", quiz_builder.quiz_unpublish, name="quiz_unpublish"),
    path("cohorts/", cohort_views.cohort_list, name="cohorts"),
    path("cohorts/<int:cohort_id>/", cohort_views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/add/", cohort_views.cohort_add, name="cohort_add"),
    path("cohorts/<int:cohort_id>/enrol/", cohort_views.cohort_enrol, name="cohort_enrol"),
    path("cohorts/<int:cohort_id>/remove/", cohort_views.cohort_remove, name="cohort_remove"),
    path("assessments/", assessment_views.assessment_list, name="assessments"),
    path("assessments/<int:assessment_id>/", assessment_views.assessment_detail, name="assessment"),
    path(
        "assessments/<int:assessment_id>/accommodate/",
        assessment_views.assessment_accommodate,
        name="assessment_accommodate",
    ),
    path(
        "assessments/<int:assessment_id>/release/",
        assessment_views.assessment_release,
        name="assessment_release",
    ),
    path(
        "assessments/<int:assessment_id>/gradebook/",
        assessment_views.assessment_gradebook,
        name="assessment_gradebook",
    ),
    path(
        "assessments/<int:assessment_id>/gradebook.csv",
        assessment_views.assessment_gradebook_csv,
        name="assessment_gradebook_csv",
    ),
    path(
        "assessments/<int:assessment_id>/attempts/<int:attempt_id>/",
        assessment_views.assessment_attempt,
        name="assessment_attempt",
    ),
    path(
        "assessments/<int:assessment_id>/analysis/",
        assessment_views.assessment_analysis,
        name="assessment_analysis",
    ),
    path(
        "assessments/<int:assessment_id>/analysis.csv",
        assessment_views.assessment_analysis_csv,
        name="assessment_analysis_csv",
    ),
    path("sources/", sources.sources, name="sources"),
    path("sources/new/", sources.source_new, name="source_new"),
    path("sources/<slug:key>/edit/", sources.source_edit, name="source_edit"),
    path("bank/", bank.bank, name="bank"),
    path("bank/download/", bank.bank_download, name="bank_download"),
    path("bank/upload/", bank.bank_upload, name="bank_upload"),
    path("bank/import/", bank.bank_import, name="bank_import"),
]
