from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Community, Staff
from fangyi.sheets.limits import limit


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("表格文件"),
        help_text=_("支持 .xlsx、.xls、.xlsb、.ods 和 .csv；标题行、合并单元格、空行都可以保留。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.xlsb,.ods,.csv,.txt"}),
    )
    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("按表格中的“所属社区”列"),
        help_text=_("表格中没有“所属社区”列时，导入到这个社区。"),
    )

    def __init__(self, *args, user: Staff, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.visible_to(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        most = limit("FANGYI_IMPORT_MAX_BYTES")
        if upload.size > most:
            raise ValidationError(
                _("文件有 %(size).1f MB，超过了 %(max).0f MB 的上限，请拆分后分批导入。")
                % {"size": upload.size / 1048576, "max": most / 1048576}
            )
        return upload
