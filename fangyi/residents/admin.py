from django.contrib import admin

from fangyi.residents.models import Household, Resident, TimelineEntry


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "grid", "birth_date", "status"]
    list_filter = ["status", "mobility", "community"]
    search_fields = ["name", "name_pinyin", "name_initials"]
    raw_id_fields = ["household", "grid"]
    list_select_related = ["community", "grid"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    raw_id_fields = ["head"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "resident", "kind", "summary", "actor"]
    raw_id_fields = ["resident", "actor"]
    list_select_related = ["resident", "actor"]

    def has_change_permission(self, request, obj=None):
        return False
