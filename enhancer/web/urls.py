from django.urls import path

from enhancer.web import views

app_name = "enhancer"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/status.json", views.jobs_status, name="jobs_status"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:pk>/original", views.job_file, {"which": "original"}, name="job_original"),
    path("jobs/<int:pk>/result", views.job_file, {"which": "result"}, name="job_result"),
    path("jobs/<int:pk>/cancel", views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/retry", views.job_retry, name="job_retry"),
    path("jobs/<int:pk>/resume", views.job_resume, name="job_resume"),
    path("jobs/<int:pk>/send-again", views.job_send_again, name="job_send_again"),
    path("jobs/<int:pk>/thumbnail", views.job_thumbnail, name="job_thumbnail"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/status.json", views.batch_status, name="batch_status"),
    path("batches/<int:pk>/download", views.batch_download, name="batch_download"),
    path("batches/<int:pk>/retry", views.batch_retry, name="batch_retry"),
    path("usage/", views.usage, name="usage"),
    path("measure.json", views.measure, name="measure"),
    path("o/<str:token>/<str:filename>", views.original_for_hitpaw, name="original_for_hitpaw"),
]
