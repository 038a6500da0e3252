from django.urls import path

from fangyi.core import views

app_name = "core"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
]
