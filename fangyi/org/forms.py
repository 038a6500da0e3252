from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.org.models import Community, Grid, Site, Staff, Unit


class NamedInSubdistrictForm(forms.ModelForm):
    """A name unique within the subdistrict. The view sets the subdistrict, so Django's
    own constraint check (which skips fields not on the form) would let a duplicate
    through to the database."""

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        rows = type(self.instance)._default_manager.filter(subdistrict_id=self.instance.subdistrict_id)
        if rows.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("街道里已有同名的%(what)s。") % {"what": self._meta.model._meta.verbose_name}
            )
        return name


class CommunityForm(NamedInSubdistrictForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Community
        fields = ["name", "code", "ordering"]


class GridForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Grid
        fields = ["community", "name"]

    def __init__(self, *args, user: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.visible_to(user)


class SiteForm(NamedInSubdistrictForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Site
        fields = ["name", "kind", "address"]


class UnitForm(NamedInSubdistrictForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Unit
        fields = ["name"]


class StaffForm(SetPasswordMixin, forms.ModelForm):
    """A new staff account; the password is set here and never shown again."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta:
        formfield_callback = bounds.formfield
        model = Staff
        fields = [
            "username",
            "display_name",
            "phone",
            "role",
            "community",
            "grid",
            "unit",
            "site",
            "seconded_from",
            "seconded_until",
        ]
        widgets = {
            "seconded_from": forms.DateInput(attrs={"type": "date"}),
            "seconded_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.subdistrict_id = user.subdistrict_id
        self.fields["community"].queryset = Community.objects.visible_to(user)
        self.fields["grid"].queryset = Grid.objects.visible_to(user).select_related("community")
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        self.fields["site"].queryset = Site.objects.visible_to(user)
        self.fields["display_name"].required = True

    def clean(self):
        super().clean()
        data = self.cleaned_data
        grid = data.get("grid")
        if grid and not data.get("community"):
            # A grid implies its community.
            data["community"] = grid.community
            self.instance.community = grid.community
        self.validate_passwords()
        return data

    def _post_clean(self):
        super()._post_clean()
        self.validate_password_for_user(self.instance)

    def save(self, commit: bool = True) -> Staff:
        staff = super().save(commit=False)
        staff = self.set_password_and_save(staff, commit=commit)
        return staff


StaffForm.base_fields["password1"].label = _("密码")
StaffForm.base_fields["password2"].label = _("再次输入密码")
