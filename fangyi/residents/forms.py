from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.core import bounds
from fangyi.org.models import Community, Grid, Staff
from fangyi.org.roles import Perm, Scope
from fangyi.residents import documents, phone
from fangyi.residents import fields as register
from fangyi.residents.documents import DocumentType
from fangyi.residents.domain import party_year_problem
from fangyi.residents.models import AgeBand, Mobility, Resident, Status


class ResidentForm(forms.ModelForm):
    """Create or edit a resident; communities and grids offered are the user's own.

    A user whose role sees ID numbers and phones masked edits them masked: the fields
    show the mask, a value sent back unchanged keeps the stored number, and only a new
    number typed in full replaces it. The full values never reach the form's page, so
    opening it discloses nothing (the full number is on the resident page, through the
    logged reveal).
    """

    id_number = forms.CharField(label=_("证件号码"), max_length=40)
    # The version the form was rendered with: saving over a newer one is refused (domain.EditConflict).
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=bounds.DB_INT_MAX
    )

    class Meta:
        formfield_callback = bounds.formfield
        model = Resident
        fields = list(register.ENTERED)
        widgets = {
            "status_since": forms.DateInput(attrs={"type": "date"}),
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, user: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.document: documents.Document | None = None  # the checked number, by clean_id_number
        # The subdistrict too: its area code completes a local landline.
        self.fields["community"].queryset = Community.objects.visible_to(user).select_related("subdistrict")
        self.fields["grid"].queryset = Grid.objects.visible_to(user).select_related("community")
        # Left out (an older client, the API): an ID card, the model's default.
        self.fields["document_type"].required = False
        self.fields["sex"].required = False
        self.fields["sex"].help_text = _("身份证号含性别，不填则按号码推算；护照、通行证等请填写。")
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = _("身份证号含出生日期，按号码推算；护照、通行证等请填写。")
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if user.grid_id:
            # A grid worker registers residents of their own grid only.
            self.fields["grid"].required = True
        self.masked = bool(self.instance.pk) and not user.can(Perm.UNMASKED_LISTS)
        if self.masked:
            self.initial["id_number"] = self.instance.masked_number
            self.initial["phone"] = phone.mask(self.instance.phone)
            self.fields["id_number"].help_text = _("带*的号码保持不变；要更改请输入完整的新号码。")
            self.fields["phone"].help_text = _("带*的号码保持不变；要更改请输入完整的新号码，清空则删除。")

    def _unchanged_mask(self, field: str, mask: Callable[[str], str]) -> bool:
        """Whether a masked form sent the field's mask back as it was shown."""
        stored = getattr(self.instance, field)
        sent = str(self.cleaned_data.get(field) or "").strip()
        return self.masked and bool(stored) and sent == mask(stored)

    def _refuse_partial_mask(self, field: str) -> None:
        if "*" in str(self.cleaned_data.get(field) or ""):
            raise ValidationError(_("请输入完整的新号码（带*的号码只能原样保留）。"), code="masked")

    def clean_document_type(self) -> str:
        return self.cleaned_data.get("document_type") or DocumentType.ID_CARD

    def clean_id_number(self) -> str:
        # document_type comes before id_number in the fields: it is cleaned already.
        document_type = self.cleaned_data.get("document_type")
        if not document_type:
            return self.cleaned_data["id_number"]  # the type's own error is shown
        raw = self.cleaned_data["id_number"]
        if self._unchanged_mask("id_number", lambda n: documents.mask(self.instance.document_type, n)):
            raw = self.instance.id_number
        else:
            self._refuse_partial_mask("id_number")
        document = documents.check(document_type, raw)
        self.document = document
        clash = Resident.objects.filter(id_number=document.number, document_type=document_type)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("该证件号码已登记。"), code="unique")
        return document.number

    def clean_phone(self) -> str:
        if self._unchanged_mask("phone", phone.mask):
            return self.instance.phone
        self._refuse_partial_mask("phone")
        text = self.cleaned_data.get("phone") or ""
        # A local number (26391234) takes the area code of the community's subdistrict,
        # which clean() knows.
        return phone.local(text) or phone.normalise(text)

    def clean_party_joined_year(self) -> int | None:
        year = self.cleaned_data.get("party_joined_year")
        problem = party_year_problem(year, None)  # the age is checked in clean(), with the birth date
        if problem:
            raise ValidationError(problem)
        return year

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        grid, community = data.get("grid"), data.get("community")
        if grid and community and grid.community_id != community.pk:
            self.add_error(
                "grid", _("网格“%(g)s”不属于社区“%(c)s”。") % {"g": grid.name, "c": community.name}
            )
        if isinstance(data.get("phone"), phone.Local):
            area_code = community.subdistrict.area_code if community else ""
            try:
                self.cleaned_data["phone"] = phone.normalise(self.cleaned_data["phone"], area_code=area_code)
            except ValidationError as exc:
                self.add_error("phone", exc)
        if data.get("party_joined_year") and not data.get("party_member"):
            self.add_error("party_joined_year", _("填写入党年份时请勾选“党员”。"))
        document = self.document
        if document is not None and document.birth_date is not None:
            # The number says it: what the field holds (the old number's) does not count.
            data["birth_date"] = document.birth_date
        elif document is not None:
            for field in ("birth_date", "sex"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(
                        field,
                        _("%(t)s的号码不含出生日期和性别，请填写。")
                        % {"t": DocumentType(data["document_type"]).label},
                    )
        birth = data.get("birth_date")
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", _("出生日期在未来。"))
        problem = party_year_problem(data.get("party_joined_year"), birth)
        if problem:
            self.add_error("party_joined_year", problem)
        if data.get("status") in (Status.MOVED_OUT, Status.DECEASED) and not data.get("status_since"):
            self.add_error("status_since", _("迁出或去世请填写日期。"))
        return data


class PlaceFilterForm(forms.Form):
    """The filters of every list of residents (the register, the vaccination statuses):
    a search, a community and a grid the user can see. A list's own filters go in
    narrow()."""

    q = forms.CharField(label=_("姓名/拼音/首字母"), required=False)
    community = forms.ModelChoiceField(
        label=_("社区"), queryset=Community.objects.none(), required=False, empty_label=_("全部社区")
    )
    grid = forms.ModelChoiceField(
        label=_("网格"), queryset=Grid.objects.none(), required=False, empty_label=_("全部网格")
    )

    def __init__(self, *args, user: Staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.masked = not user.can(Perm.UNMASKED_LISTS)
        self.fields["community"].queryset = Community.objects.visible_to(user)
        grids = Grid.objects.visible_to(user).select_related("community")
        if user.scope == Scope.SUBDISTRICT:
            # A subdistrict has a hundred grids: offer those of the chosen community only.
            # (A link may still name a grid alone: then every grid stays valid.)
            community = bounds.parse_id(self.data.get("community")) if self.is_bound else None
            if community:
                grids = grids.filter(community_id=community)
            elif not (self.is_bound and self.data.get("grid")):
                grids = grids.none()
        self.fields["grid"].queryset = grids

    def apply(self, qs):
        """Narrow a scoped resident queryset by the valid filters (invalid ones are ignored)."""
        if not self.is_bound:
            return qs
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = self.cleaned_data
        if data.get("community"):
            qs = qs.filter(community=data["community"])
        if data.get("grid"):
            qs = qs.filter(grid=data["grid"])
        qs = self.narrow(qs, data)
        if data.get("q"):
            qs = qs.search(data["q"], masked=self.masked)
        return qs

    def narrow(self, qs, data: dict[str, Any]):
        """The list's own filters, given the valid cleaned data."""
        return qs


class ResidentFilterForm(PlaceFilterForm):
    age = forms.ChoiceField(
        label=_("年龄段"), required=False, choices=[("", _("全部年龄"))] + AgeBand.choices
    )
    mobility = forms.ChoiceField(
        label=_("行动能力"), required=False, choices=[("", _("全部"))] + Mobility.choices
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态"))] + Status.choices
    )

    def narrow(self, qs, data: dict[str, Any]):
        if data.get("age"):
            qs = qs.in_age_band(AgeBand(data["age"]), timezone.localdate())
        if data.get("mobility"):
            qs = qs.filter(mobility=data["mobility"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        return qs
