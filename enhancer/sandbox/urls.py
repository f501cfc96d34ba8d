from django.urls import path

from enhancer.sandbox import staging
from enhancer.sandbox import views as sandbox

app_name = "sandbox"

urlpatterns = [
    path("api/photo-enhancer", sandbox.photo_enhancer, name="photo_enhancer"),
    path("api/task-status", sandbox.task_status, name="task_status"),
    path("results/<str:token>", sandbox.result, name="result"),
    path("api/oss/presign-put", staging.presign_put, name="presign_put"),
    path("oss/put/<str:token>", staging.staged_put, name="staged_put"),
    path("oss/files/<str:token>", staging.staged_file, name="staged_file"),
]
