"""outreach pages (being built)."""

urlpatterns: list = []
