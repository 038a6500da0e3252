from django.urls import path

from fangyi.org import views

app_name = "org"
urlpatterns = [
    path("", views.org_tree, name="tree"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_add, name="staff_add"),
    path("<str:kind>/new/", views.org_edit, name="create"),
    path("<str:kind>/<id:pk>/", views.org_edit, name="edit"),
]
