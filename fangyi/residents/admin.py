from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.residents import domain
from fangyi.residents.models import Household, Resident, TimelineEntry


class ResidentAdminForm(forms.ModelForm):
    # As on the page: the version the form was rendered with (domain.EditConflict). Not
    # named `version`: the admin would take it for the model's own (non-editable) field.
    rendered_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=bounds.DB_INT_MAX
    )

    class Meta:
        model = Resident
        fields = list(domain.TRACKED_FIELDS)  # the admin adds the rest
        formfield_callback = bounds.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["rendered_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        version = data.get("rendered_version")
        if self.instance.pk and version is not None and version != self.instance.version:
            raise ValidationError(_("此居民信息已被他人修改，请重新打开此页。"))
        return data


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Saves through the domain, as the pages do: the timeline, the version, only the
    fields changed."""

    form = ResidentAdminForm
    list_display = ["name", "community", "grid", "birth_date", "status"]
    list_filter = ["status", "mobility", "community"]
    search_fields = ["name", "name_pinyin", "name_initials"]
    raw_id_fields = ["household", "grid"]
    list_select_related = ["community", "grid"]

    def save_model(self, request, obj, form, change):
        if not change:
            domain.register_resident(obj, request.user)
            return
        before = {f: form.initial.get(f) for f in domain.TRACKED_FIELDS}
        try:
            domain.update_resident(
                obj, before, request.user, version=form.cleaned_data.get("rendered_version")
            )
        except domain.EditConflict as conflict:
            self.message_user(request, str(conflict), messages.ERROR)


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
