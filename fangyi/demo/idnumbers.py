"""The demo's identity numbers in the mix a Tianjin register really holds.

Most residents were born in Beichen (120113). Some come from Tianjin's other districts,
some from its former counties and hold the county's OLD code, because a number keeps
the address code in force when it was issued and is never changed when a county becomes
a district (a woman born in 宁河县 in 1942 holds 120221…, not 120117…); some moved here
from other provinces; a few hold the residence permit of a Hong Kong, Macao or Taiwan
resident (810000 / 820000 / 830000, the same layout and check character).

Every draw comes from the caller's random.Random, so one seed gives the same numbers.
"""

from __future__ import annotations

import datetime
import functools
import random

from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric

from fangyi.residents.documents import DocumentType

BEICHEN = "120113"  # 天津市北辰区

# Tianjin's central and near districts, whose codes have not changed.
TIANJIN_DISTRICTS = ("120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111", "120112")

# Tianjin's former counties: (the county's code, the district's code that replaced it).
# Someone born while the county existed holds the county's code.
FORMER_COUNTIES = (
    ("120221", "120117"),  # 宁河县 → 宁河区 (2015)
    ("120222", "120114"),  # 武清县 → 武清区 (2000)
    ("120223", "120118"),  # 静海县 → 静海区 (2015)
    ("120224", "120115"),  # 宝坻县 → 宝坻区 (2001)
    ("120225", "120119"),  # 蓟县 → 蓟州区 (2016)
)

# Where people who moved to Tianjin came from: Hebei, Shandong, Henan, the north-east,
# Beijing, Inner Mongolia, Jiangsu, Anhui, Hubei.
OTHER_PROVINCES = (
    "130102",  # 石家庄市长安区
    "130203",  # 唐山市路北区
    "370102",  # 济南市历下区
    "370602",  # 烟台市芝罘区
    "410105",  # 郑州市金水区
    "210102",  # 沈阳市和平区
    "230103",  # 哈尔滨市南岗区
    "110105",  # 北京市朝阳区
    "150102",  # 呼和浩特市新城区
    "320102",  # 南京市玄武区
    "340104",  # 合肥市蜀山区
    "420106",  # 武汉市武昌区
)

# Residence permits for residents of Hong Kong, Macao and Taiwan (港澳台居民居住证).
RESIDENCE_PERMITS = ("810000", "820000", "830000")


@functools.lru_cache(maxsize=4096)
def known(region: str, year: int) -> bool:
    """Whether stdnum's history of county codes has `region` in force in `year`."""
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except (stdnum_exceptions.ValidationError, KeyError):
        return False
    return True


def region(rng: random.Random, born: datetime.date, permit: bool) -> str:
    """The address code of one person's number.

    Older people more often come from the former counties (they moved to the city
    when they married or found work), people of working age from other provinces.
    """
    if permit:
        return rng.choice(RESIDENCE_PERMITS)
    draw = rng.random()
    elderly = born.year < 1965
    county_share = 0.10 if elderly else 0.04
    province_share = 0.08 if elderly else 0.12
    if draw < county_share:
        county, district = rng.choice(FORMER_COUNTIES)
        # After the county became a district, new numbers carry the district's code.
        return district if known(district, born.year) else county
    if draw < county_share + province_share:
        return rng.choice(OTHER_PROVINCES)
    if draw < county_share + province_share + 0.07:
        return rng.choice(TIANJIN_DISTRICTS)
    return BEICHEN


def is_permit_holder(index: int) -> bool:
    """Whether the `index`-th person drawn holds a residence permit: three among the
    first 300 people (so that a small demo has them) and one in a thousand after."""
    return index in (50, 150, 250) or (index > 300 and index % 1000 == 500)


def number(region_code: str, born: datetime.date, sequence: int) -> str:
    """The 18-character number: address code, birth date, 3-digit sequence, check character."""
    body = f"{region_code}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


# Nationalities of the foreign permanent residents (ISO 3166 numeric: Korea, Japan,
# Russia, the United States) and the Tianjin province code their cards carry.
NATIONALITIES = ("410", "392", "643", "840")
TIANJIN = "12"


def is_foreign_document_holder(index: int) -> bool:
    """Whether the `index`-th person drawn is registered with a document other than an ID
    card: two among the first 300 people (so that a small demo has them) and one in a
    thousand after, besides the residence permits."""
    return index in (100, 200) or (index > 300 and index % 1000 == 700)


def foreign_document(rng: random.Random, born: datetime.date, sex: str) -> tuple[str, str]:
    """(document type, number) of a resident registered without a mainland ID card: a
    foreign permanent resident ID card of the 2023 layout (9, province, nationality,
    birth date, sequence, the ID card's check character), a passport, or a Mainland
    Travel Permit of a Hong Kong, Macao or Taiwan resident."""
    kind = rng.choice(
        (
            DocumentType.FOREIGN_PR,
            DocumentType.PASSPORT,
            DocumentType.HK_MACAO_PERMIT,
            DocumentType.TAIWAN_PERMIT,
        )
    )
    if kind == DocumentType.FOREIGN_PR:
        # The 17th digit is odd for men and even for women, as on an ID card.
        sequence = rng.randrange(50) * 2 + (1 if sex == "M" else 2)
        body = f"9{TIANJIN}{rng.choice(NATIONALITIES)}{born:%Y%m%d}{sequence:03d}"
        return kind, body + ric.calc_check_digit(body + "0")
    if kind == DocumentType.PASSPORT:
        return kind, f"M{rng.randrange(10**8):08d}"
    if kind == DocumentType.HK_MACAO_PERMIT:
        return kind, f"{rng.choice('HM')}{rng.randrange(10**8):08d}"
    return kind, f"{rng.randrange(10**8):08d}"
