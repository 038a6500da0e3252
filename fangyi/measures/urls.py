from fangyi.measures.views import cases, endings, intake, monitoring, rules, selfreport

app_name = "measures"

urlpatterns: list = [
    *intake.urlpatterns,
    *cases.urlpatterns,
    *endings.urlpatterns,
    *rules.urlpatterns,
    *monitoring.urlpatterns,
    *selfreport.urlpatterns,
]
