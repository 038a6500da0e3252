"""doses pages (being built)."""

urlpatterns: list = []
