"""ID numbers: normalising what people type, validation, 15→18 conversion, masking, age."""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
import stdnum
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from fangyi.residents import idnumber

# Region codes of Tianjin (Beichen, Nankai), Beijing (Dongcheng) and Shanghai (Huangpu).
REGIONS = ["120113", "120104", "110101", "310101"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def check_character(body: str) -> str:
    """GB 11643's ISO 7064 MOD 11-2 check character, written out independently of stdnum."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


@st.composite
def valid_numbers(draw) -> str:
    region = draw(st.sampled_from(REGIONS))
    born = draw(st.dates(datetime.date(1900, 1, 1), timezone.localdate()))
    sequence = draw(st.integers(0, 999))
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


@st.composite
def typed_forms(draw, number: str) -> str:
    """`number` as somebody might type it: some digits full-width, spaces, a lower-case x."""
    chars = [c.translate(FULL_WIDTH) if draw(st.booleans()) else c for c in number]
    if draw(st.booleans()):
        chars = [c.lower() if c in "XＸ" else c for c in chars]
    cuts = draw(st.lists(st.integers(0, len(chars)), max_size=4))
    for cut in sorted(cuts, reverse=True):
        chars.insert(cut, draw(st.sampled_from([" ", "\u3000", "-", "\t"])))
    return "".join(chars)


@given(valid_numbers())
def test_a_valid_number_normalises_to_itself(number):
    assert idnumber.normalise(number) == number


@given(valid_numbers())
def test_normalise_is_idempotent(number):
    once = idnumber.normalise(number)
    assert idnumber.normalise(once) == once


@given(st.data())
def test_full_width_spaces_and_lowercase_x_give_the_same_number(data):
    number = data.draw(valid_numbers())
    typed = data.draw(typed_forms(number))
    assert idnumber.normalise(typed) == number


@given(valid_numbers())
def test_birth_date_comes_from_digits_7_to_14(number):
    assert idnumber.birth_date(number) == datetime.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


@given(valid_numbers())
def test_sex_comes_from_the_parity_of_digit_17(number):
    assert idnumber.sex(number) == ("M" if int(number[16]) % 2 else "F")


@given(valid_numbers())
def test_mask_keeps_the_first_six_and_the_last_four(number):
    assert idnumber.mask(number) == number[:6] + "********" + number[-4:]


@given(st.text())
@example("")
@example("1.20113E+17")
@example("１２０１１３１９６１０２０２３４５")
@example("120113196102300001")
def test_any_text_is_a_number_or_a_validation_error(text):
    try:
        result = idnumber.normalise(text)
    except ValidationError:
        return
    assert (len(result), idnumber.normalise(result)) == (18, result)


@given(st.text(alphabet="0123456789Xx１２ -", min_size=14, max_size=20))
def test_digit_strings_are_a_number_or_a_validation_error(text):
    try:
        idnumber.normalise(text)
    except ValidationError as exc:
        assert exc.code in {
            "required",
            "length",
            "format",
            "birth_date",
            "checksum",
            "region",
            "region_abolished",
        }


@given(st.one_of(st.integers(), st.floats()))
@example(120113196102023456)
@example(1.2011319610202345e17)
def test_a_number_stored_as_int_or_float_is_refused(value):
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(value)
    assert caught.value.code == "stored_as_number"


@pytest.mark.parametrize("text", ["1.20113E+17", "1.2011319610202E+17", "1.20113e17", "１.２０１１３Ｅ+１７"])
def test_scientific_notation_text_is_refused_as_stored_as_number(text):
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(text)
    assert caught.value.code == "stored_as_number"


def test_stored_as_number_message_is_in_chinese():
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(1.2011319610202345e17)
    assert caught.value.messages == [
        "身份证号被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"
    ]


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_number_is_required(empty):
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(empty)
    assert (caught.value.code, caught.value.messages) == ("required", ["身份证号不能为空。"])


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("12011319610202345", "length", "身份证号应为18位，这里是17位。"),
        ("12011319610202A45X", "format", "身份证号只能由数字和末位的X组成。"),
        ("120113196102303452", "birth_date", "身份证号中的出生日期不存在。"),
        ("120113196102023451", "checksum", "身份证号校验位不正确，请核对。"),
        ("000000196102023455", "region", "身份证号的地区码不存在。"),
    ],
)
def test_each_kind_of_error_has_its_chinese_message(text, code, message):
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(text)
    assert (caught.value.code, caught.value.messages) == (code, [message])


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = f"120113{tomorrow:%Y%m%d}001"
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(body + check_character(body))
    assert (caught.value.code, caught.value.messages) == ("birth_date", ["身份证号中的出生日期在未来。"])


# Old 15-digit numbers: region, YYMMDD born in the 1900s, sequence; no check character.


def test_a_15_digit_number_becomes_18_digits():
    assert idnumber.normalise("120113320506123") == "120113193205061236"


@given(
    st.sampled_from(REGIONS),
    st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31)),
    st.integers(0, 999),
)
def test_any_15_digit_number_gains_19_and_a_check_character(region, born, sequence):
    old = f"{region}{born:%y%m%d}{sequence:03d}"
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    assert idnumber.normalise(old) == body + check_character(body)


def test_a_15_digit_number_with_an_impossible_date_is_refused():
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise("120113610230123")
    assert caught.value.code == "birth_date"


# Age on a given day.


def test_age_the_day_before_the_birthday():
    assert idnumber.age_on(datetime.date(1950, 6, 15), datetime.date(2020, 6, 14)) == 69


def test_age_on_the_birthday():
    assert idnumber.age_on(datetime.date(1950, 6, 15), datetime.date(2020, 6, 15)) == 70


def test_born_on_29_february_is_not_older_on_28_february():
    assert idnumber.age_on(datetime.date(1960, 2, 29), datetime.date(2021, 2, 28)) == 60


def test_born_on_29_february_ages_on_1_march():
    assert idnumber.age_on(datetime.date(1960, 2, 29), datetime.date(2021, 3, 1)) == 61


def test_born_on_29_february_ages_on_29_february_in_a_leap_year():
    assert idnumber.age_on(datetime.date(1960, 2, 29), datetime.date(2024, 2, 29)) == 64


def test_age_on_the_day_of_birth_is_zero():
    assert idnumber.age_on(datetime.date(2020, 2, 29), datetime.date(2020, 2, 29)) == 0


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)), st.integers(1, 100))
def test_age_turns_over_on_the_birthday_and_not_a_day_before(born, years):
    try:
        birthday = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year: the birthday is 1 March
        birthday = datetime.date(born.year + years, 3, 1)
    day_before = birthday - datetime.timedelta(days=1)
    assert (idnumber.age_on(born, day_before), idnumber.age_on(born, birthday)) == (years - 1, years)


def test_years_before_a_29_february_is_the_28th_in_a_common_year():
    assert idnumber.years_before(datetime.date(2024, 2, 29), 61) == datetime.date(1963, 2, 28)


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)), st.integers(0, 120))
def test_years_before_is_the_latest_birth_date_of_that_age(day, years):
    latest = idnumber.years_before(day, years)
    next_day = latest + datetime.timedelta(days=1)
    assert (idnumber.age_on(latest, day), idnumber.age_on(next_day, day)) == (years, years - 1)


# The fast path of normalise() against the long way through stdnum (_normalise_exact):
# the same number, or the same refusal (code and message), for anything typed.

# Regions stdnum dates: 崇文区 until 2010, 燕山区 until 1986, 房山区 from 1986, 通州区
# from 1997; and codes that are no region at all.
DATED_REGIONS = ["110103", "110110", "110111", "110112", "000000", "999999", "120199"]


def outcome(normalise, raw):
    try:
        return ("ok", normalise(raw))
    except ValidationError as exc:
        return ("refused", exc.code, exc.messages)


@st.composite
def near_numbers(draw) -> str:
    """18 characters close to a valid number: any region, any date (also impossible or in
    the future), any check character, a lower-case x."""
    region = draw(st.one_of(st.sampled_from(REGIONS + DATED_REGIONS), st.from_regex(r"\A[0-9]{6}\Z")))
    year = draw(st.integers(1800, timezone.localdate().year + 2))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    body = f"{region}{year:04d}{month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
    last = draw(st.one_of(st.just(check_character(body)), st.sampled_from("0123456789Xx")))
    return body + last


@given(st.one_of(valid_numbers(), near_numbers(), st.text(alphabet="0123456789Xx", min_size=18, max_size=18)))
@example(f"110103{2010:04d}0101001" + check_character("1101032010" + "0101001"))
@example(f"110103{2011:04d}0101001" + check_character("1101032011" + "0101001"))
@example(f"110111{1985:04d}0101001" + check_character("1101111985" + "0101001"))
@example("12011319610202345x")
def test_fast_path_gives_what_stdnum_gives(text):
    assert outcome(idnumber.normalise, text) == outcome(idnumber._normalise_exact, text)


@given(st.data())
def test_fast_path_gives_what_stdnum_gives_for_typed_forms(data):
    typed = data.draw(typed_forms(data.draw(st.one_of(valid_numbers(), near_numbers()))))
    assert outcome(idnumber.normalise, typed) == outcome(idnumber._normalise_exact, typed)


def test_a_region_is_checked_against_the_year_of_birth_also_when_remembered():
    # 崇文区 was merged into 东城区 in 2010: born there in 2010 yes, in 2011 no.
    for year, ok in ((2010, True), (2011, False), (2009, True), (2012, False)):
        body = f"110103{year}0101001"
        result = outcome(idnumber.normalise, body + check_character(body))
        assert (result[0] == "ok") is ok, year


@given(valid_numbers())
def test_birth_date_without_stdnum_is_stdnums(number):
    from stdnum.cn import ric

    assert idnumber.birth_date(number) == ric.get_birth_date(number)


def test_a_region_code_of_a_province_is_refused_not_a_crash():
    # stdnum knows 111000 without a county and raised KeyError('county') for it.
    body = "11100019500101000"
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(body + check_character(body))
    assert caught.value.code == "region"


# Numbers as issued: an address code is valid from the birth date on when it was in force
# at some time on or after it (it is the code of the place of issue, 1984 on, and never
# changes), checked against stdnum's history of county codes read here from its file.


def county_history() -> dict[str, int | None]:
    """Every county code of stdnum/cn/loc.dat → the last year any of its names was in
    force (None: still in force)."""
    lines = (pathlib.Path(stdnum.__file__).parent / "cn" / "loc.dat").read_text("utf-8").splitlines()
    last: dict[str, int | None] = {}
    province = ""
    for line in lines:
        if match := re.fullmatch(r'(\d\d) province="[^"]*"', line):
            province = match[1]
        elif match := re.fullmatch(r'  (\d{4}) county="([^"]*)"', line):
            ends = [re.match(r"(?:\[(\d*)-(\d*)\])?", name)[2] for name in match[2].split(",")]
            last[province + match[1]] = None if any(not end for end in ends) else max(map(int, ends))
        else:
            assert line.startswith("#"), line  # the file holds nothing else
    return last


HISTORY = county_history()
PERMITS = ["810000", "820000", "830000"]


def number_of(region: str, born: datetime.date, sequence: int = 1) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


def expected_outcome(region: str, born: datetime.date) -> str:
    """The refusal's code, or "ok", from the history alone."""
    if region in PERMITS:
        return "ok"
    if region not in HISTORY:
        return "region"
    last = HISTORY[region]
    return "ok" if last is None or born.year <= last else "region_abolished"


def decision(number: str) -> str:
    try:
        idnumber.normalise(number)
    except ValidationError as exc:
        return str(exc.code)
    return "ok"


def test_the_history_holds_every_county_code():
    assert (len(HISTORY), HISTORY["120221"], HISTORY["110112"], HISTORY["120113"]) == (6885, 2015, None, None)


def test_every_county_code_is_decided_by_its_history_for_the_elderly_and_the_young():
    wrong = {
        (region, year): (decision(number_of(region, datetime.date(year, 6, 1))), expected)
        for region, last in HISTORY.items()
        for year in (1940, 1950, 1960, 1984, 2000, *((last, last + 1) if last and last < 2020 else ()))
        if (expected := expected_outcome(region, datetime.date(year, 6, 1)))
        != decision(number_of(region, datetime.date(year, 6, 1)))
    }
    assert wrong == {}


@given(
    st.one_of(st.sampled_from(sorted(HISTORY)), st.sampled_from(PERMITS), st.from_regex(r"\A[0-9]{6}\Z")),
    st.dates(datetime.date(1900, 1, 1), datetime.date(2024, 12, 31)),
    st.integers(0, 999),
)
@example("120221", datetime.date(1942, 3, 15), 2)  # 宁河县, a code of 1982
@example("120221", datetime.date(2015, 12, 31), 2)  # its last year
@example("120221", datetime.date(2016, 1, 1), 2)  # 宁河区 from 2016: 120117
@example("110112", datetime.date(1950, 1, 1), 1)  # 通州区, a code of 1997
@example("110203", datetime.date(1950, 1, 1), 1)  # 通县 until 1982
@example("110203", datetime.date(1983, 1, 1), 1)
def test_a_code_is_accepted_iff_in_force_at_some_time_from_the_birth_on(region, born, sequence):
    number = number_of(region, born, sequence)
    assert (decision(number), outcome(idnumber.normalise, number)) == (
        expected_outcome(region, born),
        outcome(idnumber._normalise_exact, number),
    )


def test_the_id_validator_15_digit_vector_converts_and_is_valid():
    assert idnumber.normalise("610104620927690") == "610104196209276908"


def test_the_id_validator_chongqing_vector_is_valid():
    # 500154 开州区 dates from 2016; the number says born 1998.
    assert idnumber.normalise("500154199804106120") == "500154199804106120"


def test_a_woman_born_1942_in_ninghe_county_holds_a_code_of_1982():
    number = number_of("120221", datetime.date(1942, 3, 15), 2)
    assert (idnumber.normalise(number), idnumber.sex(number)) == ("120221194203150024", "F")


def test_born_1950_in_tongzhou_holds_a_code_of_1997():
    assert idnumber.normalise(number_of("110112", datetime.date(1950, 1, 1))) == "110112195001010016"


@pytest.mark.parametrize(
    ("region", "sequence", "expected", "sex"),
    [
        ("810000", 1, "810000199001010019", "M"),
        ("820000", 2, "820000199001010029", "F"),
        ("830000", 3, "830000199001010039", "M"),
    ],
)
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents_are_valid(region, sequence, expected, sex):
    number = idnumber.normalise(number_of(region, datetime.date(1990, 1, 1), sequence))
    assert (number, idnumber.birth_date(number), idnumber.sex(number)) == (
        expected,
        datetime.date(1990, 1, 1),
        sex,
    )


def test_a_residence_permit_with_a_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise("810000199001010010")
    assert (caught.value.code, caught.value.messages) == ("checksum", ["身份证号校验位不正确，请核对。"])


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("120221194203150025", "checksum", "身份证号校验位不正确，请核对。"),
        (number_of("999999", datetime.date(1950, 1, 1)), "region", "身份证号的地区码不存在。"),
        (
            number_of("110103", datetime.date(2011, 1, 1)),
            "region_abolished",
            "身份证号的地区码110103在出生之前已撤销（只用到2010年）。",
        ),
        (
            number_of("120221", datetime.date(2016, 1, 1)),
            "region_abolished",
            "身份证号的地区码120221在出生之前已撤销（只用到2015年）。",
        ),
        ("120221194202300025", "birth_date", "身份证号中的出生日期不存在。"),
    ],
)
def test_numbers_as_issued_are_still_refused_for_these(text, code, message):
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(text)
    assert (caught.value.code, caught.value.messages) == (code, [message])


def test_a_birth_date_tomorrow_is_refused_for_a_permit_too():
    number = number_of("810000", timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        idnumber.normalise(number)
    assert (caught.value.code, caught.value.messages) == ("birth_date", ["身份证号中的出生日期在未来。"])


def test_a_birth_date_today_is_accepted():
    today = timezone.localdate()
    assert idnumber.normalise(number_of("120113", today)) == number_of("120113", today)
