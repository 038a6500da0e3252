from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fangyi.api"
    label = "api"
