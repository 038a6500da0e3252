"""Volunteer pages. Each subject keeps its routes beside its views."""

from fangyi.volunteers.views import hours, people, shifts

app_name = "volunteers"
urlpatterns = [*people.urlpatterns, *shifts.urlpatterns, *hours.urlpatterns]
