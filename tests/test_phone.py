"""Contact numbers: mobiles and landlines as people write them, normalised and masked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from fangyi.residents import phone

# Prefixes of Chinese mobile networks that phonenumbers knows.
MOBILE_PREFIXES = ["130", "133", "135", "138", "139", "150", "158", "166", "177", "186", "189", "199"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def mobiles(draw) -> str:
    return draw(st.sampled_from(MOBILE_PREFIXES)) + draw(st.from_regex(r"\A[0-9]{8}\Z"))


@st.composite
def tianjin_landlines(draw) -> str:
    return "022-" + draw(st.sampled_from("2345678")) + draw(st.from_regex(r"\A[0-9]{7}\Z"))


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "86 13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_mobile_written_any_way_becomes_eleven_digits(typed):
    assert phone.normalise(typed) == "13812345678"


@pytest.mark.parametrize("typed", ["022-26391234", "022 2639 1234", "(022) 2639 1234", "02226391234"])
def test_landline_keeps_its_area_code_apart(typed):
    assert phone.normalise(typed) == "022-26391234"


def test_four_digit_area_code_keeps_apart():
    assert phone.normalise("0755 1234 5678") == "0755-12345678"


def test_mobile_stored_as_a_float_by_a_spreadsheet_is_accepted():
    assert phone.normalise(13812345678.0) == "13812345678"


def test_mobile_stored_as_an_int_is_accepted():
    assert phone.normalise(13812345678) == "13812345678"


@pytest.mark.parametrize("empty", ["", "  "])
def test_empty_is_allowed(empty):
    assert phone.normalise(empty) == ""


def test_an_unrecognisable_number_is_refused_in_chinese():
    with pytest.raises(ValidationError) as caught:
        phone.normalise("abc")
    assert (caught.value.code, caught.value.messages) == ("phone", ["电话号码“abc”无法识别。"])


def test_too_short_a_number_is_refused_in_chinese():
    with pytest.raises(ValidationError) as caught:
        phone.normalise("12345")
    assert caught.value.messages == ["电话号码“12345”不是有效的手机号或固定电话。"]


def test_a_local_number_without_area_code_is_refused():
    with pytest.raises(ValidationError):
        phone.normalise("2639 1234")


def test_a_foreign_number_keeps_its_country_code():
    assert phone.normalise("+1 650 253 0000") == "+1 650-253-0000"


@given(mobiles())
def test_any_mobile_normalises_to_itself(number):
    assert phone.normalise(number) == number


@given(tianjin_landlines())
def test_any_tianjin_landline_normalises_to_itself(number):
    assert phone.normalise(number) == number


@given(st.data())
def test_full_width_and_spaces_do_not_change_a_mobile(data):
    number = data.draw(mobiles())
    typed = "".join(c.translate(FULL_WIDTH) if data.draw(st.booleans()) else c for c in number)
    typed = typed[:3] + data.draw(st.sampled_from(["", " ", "-", "\u3000"])) + typed[3:]
    assert phone.normalise(typed) == number


@given(st.text())
@example("+1 650 253 0000")
@example("+44 20 7946 0958")
@example("13812345678.5")
def test_any_text_is_a_number_that_normalises_to_itself_or_a_validation_error(text):
    try:
        once = phone.normalise(text)
    except ValidationError:
        return
    assert phone.normalise(once) == once


@given(st.from_regex(r"\A\+?[0-9 ()\-]{5,18}\Z"))
def test_number_like_text_normalises_to_itself_or_is_a_validation_error(text):
    try:
        once = phone.normalise(text)
    except ValidationError:
        return
    assert phone.normalise(once) == once


@given(mobiles())
def test_mobile_mask_keeps_three_and_four_digits(number):
    assert phone.mask(number) == number[:3] + "****" + number[-4:]


def test_landline_mask_keeps_the_area_code_and_four_digits():
    assert phone.mask("022-26391234") == "022-****1234"


def test_mask_of_no_number_is_empty():
    assert phone.mask("") == ""
