from django.urls import path

from fangyi.residents import views

app_name = "residents"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("<id:pk>/", views.resident_detail, name="detail"),
    path("<id:pk>/edit/", views.resident_edit, name="edit"),
    path("<id:pk>/reveal/", views.resident_reveal, name="reveal"),
]
