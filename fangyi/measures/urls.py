from django.urls import path  # noqa: F401  (each subject's module adds its paths below)

app_name = "measures"

urlpatterns: list = []
