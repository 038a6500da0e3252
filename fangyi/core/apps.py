from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fangyi.core"
    label = "core"
