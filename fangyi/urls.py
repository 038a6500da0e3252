from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from fangyi.api.api import api
from fangyi.core import views

admin.site.site_header = "Fangyi 防疫"
admin.site.site_title = "Fangyi"

urlpatterns = [
    path("", views.home, name="home"),
    path("ping/", views.ping, name="ping"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", set_language, name="set_language"),
    path("", include("fangyi.core.urls")),
    path("residents/", include("fangyi.residents.urls")),
    path("sheets/", include("fangyi.sheets.urls")),
    path("org/", include("fangyi.org.urls")),
    path("vaccination/", include("fangyi.vaccination.urls")),
    path("measures/", include("fangyi.measures.urls")),
    path("volunteers/", include("fangyi.volunteers.urls")),
    path("donations/", include("fangyi.donations.urls")),
    path("errands/", include("fangyi.services.urls")),
    path("reports/", include("fangyi.reports.urls")),
    path("audit/", include("fangyi.audit.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
