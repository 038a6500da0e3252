"""Donation pages: the routes live beside their views."""

from fangyi.donations.views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
