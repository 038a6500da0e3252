from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fangyi.api"
    label = "api"

    def ready(self) -> None:
        from fangyi.api import signals

        signals.connect()
