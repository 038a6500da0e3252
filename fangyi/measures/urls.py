from django.urls import path

from fangyi.measures.views import day

app_name = "measures"

urlpatterns: list = []

# The worker's day (m-day).
urlpatterns += [
    path("today/", day.my_day, name="my_day"),
]
