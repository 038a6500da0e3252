"""Admin pages for the vaccination data an administrator may need to correct by hand.

Products and booster rules are edited here and on the products page alike; doses,
statuses and adverse events are read-mostly (their pages write the timeline)."""

from django.contrib import admin

from fangyi.vaccination.forms import BoosterRuleForm, ProductForm
from fangyi.vaccination.models import (
    AdverseEvent,
    AdverseEventFollowUp,
    BoosterRule,
    Dose,
    Observation,
    Protocol,
    ReasonRecord,
    VaccinationStatus,
    VaccineProduct,
)


@admin.register(VaccineProduct)
class VaccineProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ["name", "maker", "type", "primary_doses", "min_age", "active"]
    list_filter = ["type", "active"]
    search_fields = ["name", "generic_name", "maker", "maker_aliases"]


@admin.register(BoosterRule)
class BoosterRuleAdmin(admin.ModelAdmin):
    form = BoosterRuleForm
    list_display = ["kind", "edition", "min_days_after", "min_age", "effective_from", "active"]
    list_filter = ["kind", "active"]
    filter_horizontal = ["products"]


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ["name", "observation_minutes", "elderly_age", "active"]


@admin.register(Dose)
class DoseAdmin(admin.ModelAdmin):
    list_display = ["resident", "given_on", "dose_number", "kind", "product", "site", "batch"]
    list_filter = ["kind", "product", "home_visit", "elsewhere"]
    date_hierarchy = "given_on"
    search_fields = ["resident__name", "resident__name_pinyin", "batch"]
    raw_id_fields = ["resident", "vaccinator", "override_by", "recorded_by"]
    list_select_related = ["resident", "product", "site"]


@admin.register(VaccinationStatus)
class VaccinationStatusAdmin(admin.ModelAdmin):
    list_display = ["resident", "state", "doses", "next_due_on", "overdue", "reason"]
    list_filter = ["state", "overdue", "reason"]
    search_fields = ["resident__name", "resident__name_pinyin"]
    raw_id_fields = ["resident"]
    list_select_related = ["resident"]

    # Derived by domain.status.refresh(): editing by hand would be overwritten.
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReasonRecord)
class ReasonRecordAdmin(admin.ModelAdmin):
    list_display = ["resident", "reason", "until", "certificate", "recorded_at", "lifted_on"]
    list_filter = ["reason", "certificate"]
    raw_id_fields = ["resident", "recorded_by"]
    list_select_related = ["resident"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["dose", "started_at", "until", "ended_at"]
    raw_id_fields = ["dose", "ended_by"]
    list_select_related = ["dose__resident"]


class FollowUpInline(admin.TabularInline):
    model = AdverseEventFollowUp
    extra = 0
    raw_id_fields = ["by"]


@admin.register(AdverseEvent)
class AdverseEventAdmin(admin.ModelAdmin):
    list_display = ["resident", "onset_at", "category", "severity", "suspected_serious", "closed_at"]
    list_filter = ["category", "severity", "suspected_serious"]
    raw_id_fields = ["resident", "dose", "reported_by"]
    list_select_related = ["resident"]
    inlines = [FollowUpInline]
