from django.urls import path

from fangyi.measures.views import cases, day, endings, intake, monitoring, rules, selfreport

app_name = "measures"

urlpatterns: list = [
    path("today/", day.my_day, name="my_day"),
    *intake.urlpatterns,
    *cases.urlpatterns,
    *endings.urlpatterns,
    *rules.urlpatterns,
    *monitoring.urlpatterns,
    *selfreport.urlpatterns,
]
