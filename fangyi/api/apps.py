from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fangyi.api"
    label = "api"

    def ready(self) -> None:
        from fangyi.api import signals, tokens
        from fangyi.core import idempotency

        signals.connect()
        idempotency.identify_api_clients(tokens.staff_of)
