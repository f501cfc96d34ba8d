"""HitPaw's two calls as the vendor names them, under the desk's `/hitpaw/` base address."""

from django.urls import path

from enhancer.api import hitpaw_gateway

app_name = "hitpaw_gateway"
urlpatterns = [
    path("api/photo-enhancer", hitpaw_gateway.photo_enhancer, name="photo_enhancer"),
    path("api/task-status", hitpaw_gateway.task_status, name="task_status"),
    path("results/<str:signed>/", hitpaw_gateway.result, name="result"),
]
