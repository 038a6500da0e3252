from django.urls import path

from fangyi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.disclosures, name="disclosures"),
    path("changes/", views.changes, name="changes"),
]
