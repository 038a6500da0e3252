"""Contact numbers: mobiles and landlines as people write them, normalised and masked."""

from __future__ import annotations

import unicodedata

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
    with pytest.raises(ValidationError) as caught:
        phone.normalise("2639 1234")
    assert (caught.value.code, caught.value.messages) == (
        "phone",
        ["电话号码“2639 1234”不是有效的手机号或固定电话。"],
    )


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


# The fast path of normalise() against phonenumbers' parser (_normalise_exact): the same
# number, or the same refusal, for mobiles and landlines written the usual ways.

# Area codes: two digits (Tianjin, Shanghai, Guangzhou …) and three (Shijiazhuang,
# Shenzhen, Kunming …), and some that are no area code.
AREA_CODES = ["22", "21", "20", "23", "24", "25", "27", "28", "29", "311", "312", "351", "371", "411"]
AREA_CODES += ["431", "451", "471", "510", "512", "531", "551", "571", "591", "731", "755", "757"]
AREA_CODES += ["760", "769", "851", "871", "898", "931", "951", "991", "300", "400", "800", "950"]


def outcome(normalise, text):
    try:
        return ("ok", normalise(text))
    except ValidationError as exc:
        return ("refused", exc.code, exc.messages)


def exact(text: str) -> str:
    """The phonenumbers path, given the text as normalise() gives it."""
    return phone._normalise_exact(unicodedata.normalize("NFKC", text).strip())


@st.composite
def written(draw, digits: str) -> str:
    """`digits` with spaces and dashes where people put them (or anywhere)."""
    chars = list(digits)
    for cut in sorted(draw(st.lists(st.integers(1, len(chars)), max_size=3)), reverse=True):
        chars.insert(cut, draw(st.sampled_from([" ", "-", "  ", "--"])))
    return "".join(chars)


@st.composite
def any_mobile_written(draw) -> str:
    digits = draw(st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
    prefix = draw(st.sampled_from(["", "", "+86", "+86 ", "+86-"]))
    return prefix + draw(written(digits))


@st.composite
def any_landline_written(draw) -> str:
    area = draw(st.one_of(st.sampled_from(AREA_CODES), st.from_regex(r"\A[2-9][0-9]{1,2}\Z")))
    local = draw(st.from_regex(r"\A[0-9]{7,8}\Z"))
    return draw(written("0" + area + local))


@given(any_mobile_written())
@example("13812345678")
@example("+8613812345678")
@example("15412345678")  # no such network: refused both ways
@example("17912345678")
@example("-138-1234-5678-")
def test_fast_path_gives_what_phonenumbers_gives_for_mobiles(text):
    assert outcome(phone.normalise, text) == outcome(exact, text)


@given(any_landline_written())
@example("022-26391234")
@example("02226391234")
@example("0222-6391234")
@example("0755-88881234")
@example("0311-1234567")
@example("0311-10012345")
def test_fast_path_gives_what_phonenumbers_gives_for_landlines(text):
    assert outcome(phone.normalise, text) == outcome(exact, text)


@pytest.mark.parametrize(
    "text", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "022-26391234", "0755 88881234"]
)
def test_the_usual_forms_take_the_fast_path(text):
    assert phone._fast(text) == phone._normalise_exact(text)


# Local numbers, as elderly people give their landline: completed with the area code of
# the resident's subdistrict.


@pytest.mark.parametrize(
    "typed", ["26391234", "2639-1234", "2639 1234", "２６３９１２３４", " 2639 - 1234 ", 26391234.0]
)
def test_a_local_number_takes_the_area_code(typed):
    assert phone.normalise(typed, area_code="022") == "022-26391234"


def test_a_seven_digit_local_number_takes_a_four_digit_area_code():
    # Lhasa's numbers are 7 digits long.
    assert phone.normalise("681-2345", area_code="0891") == "0891-6812345"


def test_a_local_number_invalid_in_its_area_is_refused_in_chinese():
    # Tianjin's numbers are 8 digits long.
    with pytest.raises(ValidationError) as caught:
        phone.normalise("681-2345", area_code="022")
    assert (caught.value.code, caught.value.messages) == (
        "phone",
        ["电话号码“681-2345”加上区号022后不是有效的固定电话。"],
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0755 1234 5678", "0755-12345678"),
        ("022-26391234", "022-26391234"),
        ("+86 138 1234 5678", "13812345678"),
    ],
)
def test_a_number_with_its_own_area_code_or_a_mobile_keeps_it(typed, expected):
    assert phone.normalise(typed, area_code="0891") == expected


@given(mobiles())
def test_mobiles_are_the_same_with_an_area_code(number):
    assert phone.normalise(number, area_code="022") == number


@given(
    st.one_of(st.sampled_from(AREA_CODES), st.from_regex(r"\A[1-9][0-9]{1,2}\Z")),
    st.from_regex(r"\A[2-9][0-9]{6,7}\Z"),
)
@example("22", "26391234")
@example("22", "2639123")
@example("891", "6812345")
def test_a_local_number_is_what_the_full_number_is(area, local):
    full = outcome(phone.normalise, f"0{area}{local}")
    with_area = outcome(lambda text: phone.normalise(text, area_code=f"0{area}"), local)
    if full[0] == "ok":
        assert with_area == full
    else:
        assert with_area == ("refused", "phone", [f"电话号码“{local}”加上区号0{area}后不是有效的固定电话。"])


@pytest.mark.parametrize(
    ("typed", "text", "area_code", "full"),
    [
        ("2639-1234", "2639-1234", "022", "022-26391234"),
        (" ６８１ 2345", "681 2345", "0891", "0891-6812345"),
        (26391234.0, "26391234", "022", "022-26391234"),
    ],
)
def test_local_keeps_a_local_number_as_written(typed, text, area_code, full):
    found = phone.local(typed)
    assert (found.__class__, found, phone.normalise(found, area_code=area_code)) == (phone.Local, text, full)


@pytest.mark.parametrize(
    "typed", ["13812345678", "022-26391234", "02226391234", "12345", "0261234", "1263912", ""]
)
def test_local_is_none_for_anything_else(typed):
    assert phone.local(typed) is None
