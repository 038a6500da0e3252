from django.apps import AppConfig


class SheetsConfig(AppConfig):
    name = "fangyi.sheets"
    label = "sheets"
