"""Errand pages (代买代办)."""

from fangyi.services.views import urlpatterns as errand_pages

app_name = "services"
urlpatterns = [*errand_pages]
