"""appointments pages (being built)."""

urlpatterns: list = []
