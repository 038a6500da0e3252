from django.urls import path  # noqa: F401  (each subject's module adds its paths below)

from fangyi.measures.views import cases, endings, intake, monitoring, rules, selfreport

app_name = "measures"

urlpatterns: list = [
    *monitoring.urlpatterns,
    *selfreport.urlpatterns,
]
urlpatterns += intake.urlpatterns
urlpatterns += cases.urlpatterns + endings.urlpatterns + rules.urlpatterns
