"""The API's one error shape, Chinese messages for the input errors pydantic reports (its
own text is English), and a refused form as a 422."""

from __future__ import annotations

from typing import Any, TypeVar

from django.forms import BaseForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.errors import HttpError

from fangyi.core import bounds

F = TypeVar("F", bound=BaseForm)

DATE = gettext_lazy("请输入有效日期，如 2022-01-31。")
DATETIME = gettext_lazy("请输入有效的日期时间，如 2022-01-31T09:30:00+08:00。")
INTEGER = gettext_lazy("请输入整数。")
OBJECT = gettext_lazy("请输入 JSON 对象。")

# pydantic's error type → the message; the limits come from the error's context.
MESSAGES = {
    "missing": gettext_lazy("此项为必填项。"),
    "int_type": INTEGER,
    "int_parsing": INTEGER,
    "int_parsing_size": INTEGER,
    "int_from_float": INTEGER,
    "float_type": gettext_lazy("请输入数字。"),
    "float_parsing": gettext_lazy("请输入数字。"),
    "greater_than_equal": gettext_lazy("应不小于%(ge)s。"),
    "greater_than": gettext_lazy("应大于%(gt)s。"),
    "less_than_equal": gettext_lazy("应不大于%(le)s。"),
    "less_than": gettext_lazy("应小于%(lt)s。"),
    "bool_type": gettext_lazy("请填写 true 或 false。"),
    "bool_parsing": gettext_lazy("请填写 true 或 false。"),
    "string_type": gettext_lazy("请输入文字。"),
    "string_unicode": bounds.BAD_CHARACTER_MESSAGE,
    "string_too_long": gettext_lazy("最多%(max_length)s个字符。"),
    "date_type": DATE,
    "date_parsing": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "datetime_type": DATETIME,
    "datetime_parsing": DATETIME,
    "datetime_from_date_parsing": DATETIME,
    "datetime_object_invalid": DATETIME,
    "time_type": gettext_lazy("请输入有效时间，如 09:30。"),
    "time_parsing": gettext_lazy("请输入有效时间，如 09:30。"),
    "time_zone": gettext_lazy("时间请不要带时区（按本地时间填写）。"),
    "list_type": gettext_lazy("请输入列表。"),
    "dict_type": OBJECT,
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "json_invalid": gettext_lazy("请求内容不是有效的 JSON。"),
    "literal_error": gettext_lazy("不是可选的值。"),
    "enum": gettext_lazy("不是可选的值。"),
    "bad_character": bounds.BAD_CHARACTER_MESSAGE,
}


def error_message(error: dict[str, Any]) -> str:
    """One pydantic error (type, ctx) as a sentence in the active language."""
    kind = error.get("type", "")
    if kind == "date_range":
        return bounds.date_range_message()
    template = MESSAGES.get(kind)
    if template is None:
        return _("此项的值无效。")
    try:
        return str(template) % (error.get("ctx") or {})
    except KeyError:  # a limit pydantic did not report
        return _("此项的值无效。")


class Message(Schema):
    """The one error shape of the API: a sentence in Chinese, and the refused fields when
    there are any. Some refusals add a key (a dose the rules refuse: `may_override`; an
    edit that lost a race: `current`)."""

    message: str = Field(examples=["此项为必填项。"])
    errors: dict[str, list[str]] | None = Field(
        None, description="refused fields and their messages", examples=[{"name": ["此项为必填项。"]}]
    )


def error_body(message: str, errors: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    """The body of every error response: the message, the field errors when there are any."""
    return {"message": message, **({"errors": errors} if errors else {}), **extra}


class Refused(HttpError):
    """An endpoint's own refusal, with the fields it concerns (answered in the error shape)."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(status, message)
        self.errors = errors


class FormRefused(Exception):
    """A form the endpoint filled from the request refused its input (422, by field)."""

    def __init__(self, form: BaseForm) -> None:
        super().__init__(form.errors)
        self.form = form


def check(form: F) -> F:
    """The form, valid; FormRefused (answered 422 with its errors) when it is not."""
    if not form.is_valid():
        raise FormRefused(form)
    return form


def form_error_body(form: BaseForm) -> dict[str, Any]:
    """A refused form as the error shape: its first message, and every message by field."""
    errors = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    first = next(iter(errors.values()), [_("请检查填写的内容。")])[0]
    return error_body(first, errors)
