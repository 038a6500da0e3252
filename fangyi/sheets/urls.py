from django.urls import path

from fangyi.sheets import views

app_name = "sheets"
urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("import/<slug:kind>/", views.import_start, name="import"),
    path("imports/<id:pk>/", views.job_detail, name="job"),
    path("imports/<id:pk>/progress/", views.job_progress, name="progress"),
    path("imports/<id:pk>/confirm/", views.job_confirm, name="confirm"),
    path("imports/<id:pk>/retry/", views.job_retry, name="retry"),
    path("imports/<id:pk>/errors.xlsx", views.job_errors, name="errors"),
    path("templates/<slug:kind>.xlsx", views.template, name="template"),
    path("export/<slug:kind>.xlsx", views.export, name="export"),
]
