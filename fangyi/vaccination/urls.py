"""Vaccination pages. Each subject keeps its routes beside its views."""

from fangyi.vaccination.views import appointments, doses, outreach, products, safety, status

app_name = "vaccination"
urlpatterns = [
    *outreach.urlpatterns,
    *appointments.urlpatterns,
    *doses.urlpatterns,
    *safety.urlpatterns,
    *products.urlpatterns,
    *status.urlpatterns,
]
