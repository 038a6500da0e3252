from django.urls import path  # noqa: F401  (each subject's module adds its paths below)

from fangyi.measures.views import intake

app_name = "measures"

urlpatterns: list = []
urlpatterns += intake.urlpatterns
