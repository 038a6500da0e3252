"""Identity documents other than the ID card: each type's numbers, what they carry, masking."""

from __future__ import annotations

import datetime
import string

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from fangyi.residents import documents, idnumber
from fangyi.residents.documents import Document, DocumentType
from fangyi.sheets import values as v

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
FULL_WIDTH = str.maketrans(
    string.digits + string.ascii_uppercase,
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
)


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2, as on ID cards, written out independently of stdnum."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


@st.composite
def new_pr_numbers(draw) -> str:
    """A 2023 permanent resident card number: 9, province, nationality, birth, sequence, check."""
    province = draw(st.sampled_from(["11", "12", "31", "44"]))
    nationality = draw(st.sampled_from(["840", "124", "398", "276", "410"]))
    born = draw(st.dates(datetime.date(1920, 1, 1), timezone.localdate()))
    sequence = draw(st.integers(0, 999))
    body = f"9{province}{nationality}{born:%Y%m%d}{sequence:03d}"
    return body + check_character(body)


@st.composite
def old_pr_numbers(draw) -> str:
    nationality = draw(st.sampled_from(["USA", "KAZ", "DEU", "KOR", "CAN"]))
    authority = draw(st.sampled_from(["1100", "1200", "3100"]))
    born = draw(st.dates(datetime.date(1930, 1, 1), datetime.date(2020, 12, 31)))
    tail = draw(st.integers(0, 99))
    return f"{nationality}{authority}{born:%y%m%d}{tail:02d}"


PASSPORTS = st.text(string.ascii_uppercase + string.digits, min_size=5, max_size=17).filter(
    lambda s: any(c.isdigit() for c in s)
)
HK_MACAO = st.builds(
    lambda letter, digits: letter + digits,
    st.sampled_from("HM"),
    st.one_of(
        st.text(string.digits, min_size=8, max_size=8), st.text(string.digits, min_size=10, max_size=10)
    ),
)
TAIWAN = st.one_of(
    st.text(string.digits, min_size=8, max_size=8),
    st.builds(
        lambda digits, letter: digits + letter,
        st.text(string.digits, min_size=10, max_size=10),
        st.sampled_from(["", *string.ascii_uppercase]),
    ),
)
VALID = {
    DocumentType.FOREIGN_PR: st.one_of(new_pr_numbers(), old_pr_numbers()),
    DocumentType.PASSPORT: PASSPORTS,
    DocumentType.HK_MACAO_PERMIT: HK_MACAO,
    DocumentType.TAIWAN_PERMIT: TAIWAN,
}


@st.composite
def typed_forms(draw, number: str) -> str:
    """`number` as somebody might type it: full-width characters, lower case, spaces, dashes."""
    chars = [c.translate(FULL_WIDTH) if draw(st.booleans()) else c for c in number]
    if draw(st.booleans()):
        chars = [c.lower() for c in chars]
    for cut in sorted(draw(st.lists(st.integers(0, len(chars)), max_size=3)), reverse=True):
        chars.insert(cut, draw(st.sampled_from([" ", "\u3000", "-"])))
    return "".join(chars)


# Every type: a valid number is stored as it is, typed any way, and checking it again keeps it


@pytest.mark.parametrize("document_type", list(VALID))
@given(data=st.data())
def test_a_valid_number_typed_any_way_is_stored_cleaned(document_type, data):
    number = data.draw(VALID[document_type])
    typed = data.draw(typed_forms(number))
    assert documents.check(document_type, typed).number == number


@pytest.mark.parametrize("document_type", list(DocumentType))
@given(raw=st.text(max_size=24))
@example(raw="")
@example(raw="   ")
@example(raw="９１１３９８１９９０１２３１００２１")
def test_check_returns_a_clean_number_or_refuses_in_chinese(document_type, raw):
    try:
        document = documents.check(document_type, raw)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)
        return
    assert (
        document.number.isascii() and document.number.isalnum() and document.number == document.number.upper()
    )
    assert documents.check(document_type, document.number) == document


# ID cards: idnumber.normalise decides


def test_an_id_card_number_is_idnumber_normalise_with_birth_and_sex():
    assert documents.check(DocumentType.ID_CARD, "12011319610202345x") == Document(
        idnumber.normalise("12011319610202345X"), datetime.date(1961, 2, 2), "M"
    )


def test_an_id_card_refusal_is_idnumber_normalise_s():
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.ID_CARD, "120113196102023451")
    assert refused.value.messages == ["身份证号校验位不正确，请核对。"]


def test_a_permanent_resident_number_entered_as_an_id_card_says_which_type_it_is():
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.ID_CARD, "911398199012310021")
    assert refused.value.messages[0].endswith(
        "这像是外国人永久居留身份证的号码，请把证件类型选为“外国人永久居留身份证”。"
    )


def test_a_permit_number_entered_as_an_id_card_says_which_type_it_is():
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.ID_CARD, "H12345678")
    assert refused.value.messages[0].endswith(
        "这像是港澳居民来往内地通行证的号码，请把证件类型选为“港澳居民来往内地通行证”。"
    )


# Foreign permanent resident ID cards


@given(new_pr_numbers())
def test_a_new_permanent_resident_number_carries_birth_date_and_sex(number):
    document = documents.check(DocumentType.FOREIGN_PR, number)
    born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert (document.birth_date, document.sex) == (born, "M" if int(number[16]) % 2 else "F")


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        # Published examples (hutool's and credentialkit's tests).
        ("932682198501010017", datetime.date(1985, 1, 1), "M"),
        ("911398199012310021", datetime.date(1990, 12, 31), "F"),
    ],
)
def test_published_permanent_resident_numbers(number, born, sex):
    assert documents.check(DocumentType.FOREIGN_PR, number) == Document(number, born, sex)


@given(new_pr_numbers(), st.sampled_from("0123456789X"))
def test_a_new_permanent_resident_number_with_a_wrong_check_character_is_refused(number, last):
    if last == number[-1]:
        return
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.FOREIGN_PR, number[:-1] + last)
    assert refused.value.messages == ["永居证号码校验位不正确，请核对。"]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("911398199002310021", "永居证号码中的出生日期不存在。"),
        (
            "811398199012310021",
            "外国人永久居留身份证号码应为以9开头的18位（旧证为3位字母加12位数字），这里是“811398199012310021”。",
        ),
        ("KAZ110090023105", "永居证号码中的出生日期不存在。"),
        (
            "KA1110090123105",
            "外国人永久居留身份证号码应为以9开头的18位（旧证为3位字母加12位数字），这里是“KA1110090123105”。",
        ),
    ],
)
def test_bad_permanent_resident_numbers_are_refused_with_the_reason(number, message):
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.FOREIGN_PR, number)
    assert refused.value.messages == [message]


def test_a_future_birth_date_in_a_permanent_resident_number_is_refused():
    body = f"911840{timezone.localdate() + datetime.timedelta(days=2):%Y%m%d}001"
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.FOREIGN_PR, body + check_character(body))
    assert refused.value.messages == ["永居证号码中的出生日期不合理。"]


@given(old_pr_numbers())
def test_an_old_permanent_resident_number_carries_no_birth_date(number):
    # Its birth date has no century: the person's is entered.
    assert documents.check(DocumentType.FOREIGN_PR, number) == Document(number, None, None)


# Passports and permits


@pytest.mark.parametrize("number", ["E123", "ABCDEFGH", "E12345678901234567", "E1234567$", "护照E1234567"])
def test_passport_numbers_that_are_not_5_to_17_letters_and_digits_are_refused(number):
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.PASSPORT, number)
    assert refused.value.messages[0].startswith("护照号码应为5至17位字母和数字（至少含一位数字）")


@pytest.mark.parametrize("number", ["H1234567", "A12345678", "H123456789", "HM12345678", "12345678"])
def test_hong_kong_macao_permits_need_h_or_m_and_8_or_10_digits(number):
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.HK_MACAO_PERMIT, number)
    assert refused.value.messages[0].startswith("港澳居民来往内地通行证号码应为H或M加8位数字")


@pytest.mark.parametrize("number", ["1234567", "123456789", "1234567890AB", "A1234567", "H12345678"])
def test_taiwan_permits_need_8_digits_or_10_and_a_letter(number):
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.TAIWAN_PERMIT, number)
    assert refused.value.messages[0].startswith("台湾居民来往大陆通行证号码应为8位数字")


def test_the_bracketed_letter_of_an_old_taiwan_permit_is_kept_without_brackets():
    assert documents.check(DocumentType.TAIWAN_PERMIT, "1234567890（b）").number == "1234567890B"


@pytest.mark.parametrize("document_type", [DocumentType.PASSPORT, DocumentType.HK_MACAO_PERMIT])
def test_passports_and_permits_carry_no_birth_date_or_sex(document_type):
    number = {"passport": "E12345678", "hk_macao_permit": "H12345678"}[document_type]
    assert documents.check(document_type, number) == Document(number, None, None)


def test_a_taiwan_permit_a_spreadsheet_stored_as_a_number_is_read():
    assert documents.check(DocumentType.TAIWAN_PERMIT, 12345678.0).number == "12345678"


def test_a_long_number_a_spreadsheet_stored_as_a_number_is_refused():
    with pytest.raises(ValidationError) as refused:
        documents.check(DocumentType.FOREIGN_PR, 9.11398199012310e17)
    assert refused.value.code == "stored_as_number"


@pytest.mark.parametrize("document_type", [DocumentType.PASSPORT, DocumentType.TAIWAN_PERMIT])
def test_an_empty_number_is_refused(document_type):
    with pytest.raises(ValidationError) as refused:
        documents.check(document_type, " ")
    assert refused.value.messages == ["证件号码不能为空。"]


# Masking


@given(st.sampled_from(list(VALID)).flatmap(lambda t: st.tuples(st.just(t), VALID[t])))
def test_other_documents_show_no_more_than_their_last_four_characters(typed):
    document_type, number = typed
    masked = documents.mask(document_type, number)
    shown = len(masked) - masked.count("*")
    assert (len(masked), masked[:-shown] if shown else masked) == (len(number), "*" * (len(number) - shown))
    assert shown <= 4 and masked[len(masked) - shown :] == number[len(number) - shown :]


@pytest.mark.parametrize(
    ("document_type", "number", "masked"),
    [
        (DocumentType.ID_CARD, "12011319610202345X", "120113********345X"),
        (DocumentType.FOREIGN_PR, "911398199012310021", "**************0021"),
        (DocumentType.PASSPORT, "E12345678", "******678"),
        (DocumentType.HK_MACAO_PERMIT, "H12345678", "******678"),
        (DocumentType.TAIWAN_PERMIT, "12345678", "******78"),
        (DocumentType.PASSPORT, "", ""),
    ],
)
def test_masks(document_type, number, masked):
    assert documents.mask(document_type, number) == masked


# The words of a 证件类型 column

TYPE = v.choice(documents.TYPE_WORDS, "")


@pytest.mark.parametrize(
    ("word", "document_type"),
    [
        ("居民身份证", "id_card"),
        ("身份证", "id_card"),
        ("港澳台居民居住证", "id_card"),
        ("外国人永久居留身份证", "foreign_pr"),
        ("永居证", "foreign_pr"),
        ("护照", "passport"),
        ("普通护照", "passport"),
        ("港澳居民来往内地通行证", "hk_macao_permit"),
        ("回乡证", "hk_macao_permit"),
        ("台湾居民来往大陆通行证", "taiwan_permit"),
        ("台胞证", "taiwan_permit"),
        (" 台 胞 证 ", "taiwan_permit"),
    ],
)
def test_type_words_of_spreadsheets(word, document_type):
    assert TYPE(word) == document_type


def test_an_unknown_type_word_is_refused():
    with pytest.raises(ValidationError):
        TYPE("驾驶证")
