"""safety pages (being built)."""

urlpatterns: list = []
