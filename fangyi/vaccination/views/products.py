"""products pages (being built)."""

urlpatterns: list = []
