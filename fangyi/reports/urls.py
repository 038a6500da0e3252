from django.urls import path

from fangyi.reports import views

app_name = "reports"
urlpatterns = [
    path("daily/", views.daily, name="daily"),
    path("daily.xlsx", views.daily_xlsx, name="daily_xlsx"),
    path("trend/", views.trend, name="trend"),
    path("trend.json", views.trend_data, name="trend_data"),
]
