"""The rules of the measures, editable by an administrator (RULES.md: presets, never
code). A change applies to cases placed afterwards; placed cases keep their values."""

from django.contrib import admin

from fangyi.measures.models import Category, Edition, MeasureType, ProtocolStep


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "aliases", "order"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "published", "follows"]


@admin.register(MeasureType)
class MeasureTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "at_home", "report_times", "fever_threshold"]


@admin.register(ProtocolStep)
class ProtocolStepAdmin(admin.ModelAdmin):
    list_display = ["edition", "category", "order", "measure_type", "days", "test_days"]
    list_filter = ["edition", "category"]
