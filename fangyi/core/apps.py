from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fangyi.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from fangyi.core.bounds import IdConverter

        # Before any app's URLs are built: every page URL takes its ids as `<id:pk>`.
        register_converter(IdConverter, "id")
