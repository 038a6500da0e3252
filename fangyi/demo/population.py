"""The demo's synthetic population register: households of plausible people in the
23 communities of 普东街, with ID numbers in a real mix (`idnumbers`) and some landlines.

Everything random comes from `random.Random(seed)`. Ages are counted from a reference
date, 1 January of the demo date's year (`org.reference_date()`), so one seed gives the
same people — same names, same ID numbers — for a whole calendar year; in December some
of them are a year older than on the reference date.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from fangyi.demo import bulk, idnumbers
from fangyi.demo.org import BATCH, COMMUNITIES
from fangyi.org.models import Community, Grid, Subdistrict
from fangyi.residents import searchkeys
from fangyi.residents.documents import DocumentType
from fangyi.residents.domain import pinyin_keys
from fangyi.residents.models import (
    Household,
    Mobility,
    Resident,
    SearchKey,
    Sex,
    Status,
    TimelineEntry,
    TimelineKind,
)
from fangyi.vaccination.models import Appointment, Dose, OutreachAttempt, ReasonRecord, VaccinationStatus

# The tables the drive fills (statistics refreshed with the register's).
DRIVE_TABLES = (Dose, VaccinationStatus, OutreachAttempt, ReasonRecord, Appointment)
HEAD = "户主"
BUILDINGS = 30
# Tianjin's area code: landlines are written 022-2xxxxxxx.
AREA_CODE = "022"
# Mobile prefixes of networks that exist (phone.normalise refuses 154…).
MOBILE_PREFIXES = tuple(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 176 177 180 "
    "182 183 185 186 187 188 189 198".split()
)


# ---------------------------------------------------------------- people

# Surname and its weight (roughly per mille of the population of North China).
SURNAMES = {
    entry[0]: int(entry[1:])
    for entry in (
        "王71 李70 张67 刘54 陈46 杨31 赵23 黄22 周21 吴20 徐17 孙15 胡13 朱12 高12 林12 何12 "
        "郭11 马11 罗9 梁8 宋8 郑8 谢7 韩7 唐6 冯6 于6 董5 肖5 程5 曹5 袁5 邓5 许5 傅4 沈4 彭4 吕4 苏4 "
        "卢4 蒋4 蔡4 贾3 丁3 魏3 薛3 叶3 阎3 潘3 杜3 戴2 夏2 钟2 田2 任2 姜2 范2 方2 石2 姚2 崔2 康2 "
        "孟2 侯2 邵2 白2 郝2 孔2 毛2 常2 武2 乔2 贺2 尹2 齐2 穆1 付1"
    ).split()
}
_SURNAME_LIST = list(SURNAMES)
_SURNAME_CUM = list(itertools.accumulate(SURNAMES.values()))

# Characters of given names, by sex and by generation (born before 1965 or after).
GIVEN = {
    (Sex.MALE, True): "德贵福祥国华明振山林海忠文才永志春宝荣发金树成广庆玉生喜保义建军",
    (Sex.FEMALE, True): "秀英兰桂珍淑凤玉芝荣华琴敏云梅霞芳素丽金香春萍莲菊玲淑娟",
    (Sex.MALE, False): "伟强磊军勇杰涛超明斌鹏浩宇轩博子辰睿泽俊晨鑫凯洋旭东阳健峰",
    (Sex.FEMALE, False): "静丽敏婷雪琳欣怡佳悦雨涵萱梓诗晶颖倩璐瑶蕾娜艳燕晓薇慧月",
}

# Age of the head of household, by bands of years (low, high, weight): heads are adults;
# children, parents and grandchildren follow from the head's age (see _household).
HEAD_AGES = (
    (20, 29, 10),
    (30, 39, 21),
    (40, 49, 19),
    (50, 59, 19),
    (60, 69, 16),
    (70, 79, 8.5),
    (80, 89, 3.6),
    (90, 94, 0.7),
    (95, 99, 0.12),
    (100, 101, 0.005),
)
_HEAD_AGE_CUM = list(itertools.accumulate(w for _lo, _hi, w in HEAD_AGES))

# How many people live in a household, by the head's age: (size, weight) pairs.
HOUSEHOLD_SIZES = (
    (30, ((1, 35), (2, 35), (3, 25), (4, 5))),
    (60, ((1, 12), (2, 22), (3, 38), (4, 18), (5, 10))),
    (80, ((1, 22), (2, 50), (3, 14), (4, 8), (5, 6))),
    (999, ((1, 30), (2, 40), (3, 20), (4, 10))),
)


@dataclass
class Person:
    name: str
    born: datetime.date
    sex: str
    relation: str
    party_joined: int | None = None
    mobility: str = Mobility.WALKS
    phone: str = ""


@dataclass
class Home:
    community: str
    building: int
    unit: int
    room: str
    people: list[Person]
    from_report: bool = False  # the report's people stay living here, whatever the dice say


# The two residents of the report, counted from the reference date.
def seed_homes(ref: datetime.date) -> list[Home]:
    """范芝奇 (90, 万达新城) and 王德贵 (95, 宸宜家园, in the Party for over 70 years)."""
    y = ref.year
    fan = Person(
        "范芝奇",
        datetime.date(y - 91, 12, 20),
        Sex.MALE,
        HEAD,
        party_joined=y - 68,
        mobility=Mobility.NEEDS_HELP,
    )
    wang = Person(
        "王德贵",
        datetime.date(y - 96, 12, 26),
        Sex.MALE,
        HEAD,
        party_joined=y - 71,
        mobility=Mobility.NEEDS_HELP,
    )
    return [
        Home(
            "万达新城",
            3,
            2,
            "301",
            [fan, Person("刘淑珍", datetime.date(y - 89, 4, 2), Sex.FEMALE, "配偶")],
            from_report=True,
        ),
        Home(
            "宸宜家园",
            7,
            1,
            "502",
            [
                wang,
                Person("王建国", datetime.date(y - 69, 6, 15), Sex.MALE, "子女", phone="13902261875"),
                Person("王磊", datetime.date(y - 41, 3, 9), Sex.MALE, "孙子女", phone="13820197342"),
            ],
            from_report=True,
        ),
    ]


class Population:
    """Draws households of plausible people, all from one random.Random(seed)."""

    def __init__(self, seed: int, ref: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.ref = ref
        self.ids: set[tuple[str, str]] = set()
        self.drawn = 0  # people given a number so far
        self.addresses: set[tuple[str, int, int, str]] = set()
        weights = [random.Random(f"size:{c}").uniform(0.6, 1.4) for c in COMMUNITIES]
        self.community_cum = list(itertools.accumulate(weights))

    def homes(self) -> Iterator[Home]:
        """Endless: the report's two homes first, then random ones."""
        yield from seed_homes(self.ref)
        while True:
            yield self._household()

    # -- one household

    def _household(self) -> Home:
        rng = self.rng
        band = HEAD_AGES[bisect.bisect(_HEAD_AGE_CUM, rng.random() * _HEAD_AGE_CUM[-1])]
        age = rng.randint(band[0], band[1])
        sizes = next(s for limit, s in HOUSEHOLD_SIZES if age < limit)
        size = rng.choices([n for n, _w in sizes], [w for _n, w in sizes])[0]
        widowed = size == 1 and age >= 70
        head_sex = rng.choices([Sex.MALE, Sex.FEMALE], [35, 65] if widowed else [62, 38])[0]
        family = self._surname()
        head = self._person(family, age, head_sex, HEAD)
        people = [head]
        male_line = family if head_sex == Sex.MALE else ""
        if size >= 2 and rng.random() < (0.55 if age >= 80 else 0.85):
            spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            spouse_age = age + (rng.randint(-5, 3) if head_sex == Sex.MALE else rng.randint(-3, 5))
            spouse_age = min(max(20, spouse_age), 100)
            spouse = self._person(self._surname(), spouse_age, spouse_sex, "配偶")
            people.append(spouse)
            male_line = male_line or spouse.name[0]
        male_line = male_line or family
        while len(people) < size:
            people.append(self._relative(age, family, male_line, people))
        return Home(*self._address(), people=people)

    def _relative(self, head_age: int, family: str, male_line: str, people: list[Person]) -> Person:
        rng = self.rng
        has_parent = any(p.relation == "父母" for p in people)
        if head_age < 50:
            child_age = head_age - rng.randint(22, 36)
            if child_age < 0 or (head_age >= 30 and not has_parent and rng.random() < 0.15):
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                surname = family if sex == Sex.MALE else self._surname()
                return self._person(surname, head_age + rng.randint(22, 32), sex, "父母")
            return self._person(male_line, child_age, rng.choice([Sex.MALE, Sex.FEMALE]), "子女")
        children = sum(p.relation == "子女" for p in people)
        if children == 0 or (children == 1 and rng.random() < 0.3):
            return self._person(
                male_line, head_age - rng.randint(22, 35), rng.choice([Sex.MALE, Sex.FEMALE]), "子女"
            )
        return self._person(
            male_line, max(0, head_age - rng.randint(45, 62)), rng.choice([Sex.MALE, Sex.FEMALE]), "孙子女"
        )

    def _address(self) -> tuple[str, int, int, str]:
        rng = self.rng
        for _attempt in range(8):  # past ~8,000 households a community shares some addresses
            community = COMMUNITIES[bisect.bisect(self.community_cum, rng.random() * self.community_cum[-1])]
            building = rng.randint(1, BUILDINGS)
            floors = 6 if building <= 12 else 18
            address = (
                community,
                building,
                rng.randint(1, 4),
                f"{rng.randint(1, floors)}0{rng.randint(1, 4)}",
            )
            if address not in self.addresses:
                break
        self.addresses.add(address)
        return address

    # -- one person

    def _surname(self) -> str:
        return _SURNAME_LIST[bisect.bisect(_SURNAME_CUM, self.rng.random() * _SURNAME_CUM[-1])]

    def _person(self, surname: str, age: int, sex: str, relation: str) -> Person:
        rng = self.rng
        born = self._birthday(age)
        chars = GIVEN[(Sex(sex), born.year < 1965)]
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.72 else "")
        person = Person(surname + given, born, sex, relation)
        if age >= 18 and rng.random() < (0.12 if age >= 60 else 0.06):
            person.party_joined = min(self.ref.year, born.year + rng.randint(18, min(age, 45)))
        person.mobility = self._mobility(age)
        if age >= 16 and rng.random() < (0.55 if age >= 80 else 0.92):
            person.phone = self._phone(age)
        return person

    def _phone(self, age: int) -> str:
        """A mobile number, or for some elderly people the landline at home (022-2xxxxxxx)."""
        rng = self.rng
        if age >= 60 and rng.random() < (0.35 if age >= 75 else 0.15):
            return f"{AREA_CODE}-2{rng.randrange(10**7):07d}"
        return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"

    def _birthday(self, age: int) -> datetime.date:
        """A birth date of someone `age` years old on the reference date."""
        ref = self.ref
        return datetime.date(ref.year - age - 1, 1, 2) + datetime.timedelta(days=self.rng.randrange(365))

    def _mobility(self, age: int) -> str:
        if age >= 80:
            weights = (55, 35, 10)
        elif age >= 70:
            weights = (90, 8, 2)
        else:
            weights = (995, 4, 1)
        return self.rng.choices([Mobility.WALKS, Mobility.NEEDS_HELP, Mobility.BEDRIDDEN], weights)[0]

    def document(self, born: datetime.date, sex: str) -> tuple[str, str]:
        """(document type, number), valid and unused: mostly an ID card whose address code
        comes from `idnumbers.region` (mostly Beichen), with the birth date and an odd
        sequence for men, an even one for women; a few foreign documents."""
        self.drawn += 1
        for _attempt in range(10_000):
            if idnumbers.is_foreign_document_holder(self.drawn):
                document = idnumbers.foreign_document(self.rng, born, sex)
            else:
                code = idnumbers.region(self.rng, born, idnumbers.is_permit_holder(self.drawn))
                # The last digit of the sequence is odd for men (1 … 999), even for women (2 … 998).
                sequence = (
                    self.rng.randrange(500) * 2 + 1 if sex == Sex.MALE else self.rng.randrange(1, 500) * 2
                )
                document = (DocumentType.ID_CARD, idnumbers.number(code, born, sequence))
            if document not in self.ids:
                self.ids.add(document)
                return document
        raise RuntimeError(f"no free document number left for {born}")

    def status(self, age: int) -> tuple[str, datetime.date | None]:
        rng = self.rng
        draw = rng.random()
        ago = datetime.timedelta(days=rng.randint(1, 600))
        if draw < 0.02:
            return Status.AWAY, self.ref - datetime.timedelta(days=rng.randint(1, 180))
        if draw < 0.026:
            return Status.MOVED_OUT, self.ref - ago
        if draw < 0.026 + (0.012 if age >= 80 else 0.002 if age >= 60 else 0):
            return Status.DECEASED, self.ref - ago
        return Status.LIVING_HERE, None


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def generate(
    sub: Subdistrict,
    count: int,
    *,
    seed: int = 1,
    ref: datetime.date,
    progress: Callable[[str], None] = lambda _msg: None,
) -> int:
    """Register exactly `count` synthetic residents in the demo subdistrict; return `count`.

    The report's two residents (范芝奇, 王德贵) and their families come first. Households,
    residents and one REGISTERED timeline entry each are written in bulk, BATCH people at a
    time, in one transaction.
    """
    population = Population(seed, ref)
    communities = {c.name: c for c in Community.objects.filter(subdistrict=sub)}
    grids = {c.name: list(Grid.objects.filter(community=c).order_by("id")) for c in communities.values()}
    pinyin_cache: dict[str, tuple[str, str]] = {}
    summary = _("登记入册")
    written = 0
    pending: list[tuple[Household, list[Resident]]] = []
    pending_people = 0
    with transaction.atomic():
        for home in population.homes():
            if written + pending_people >= count:
                break
            community = communities[home.community]
            community_grids = grids[home.community]
            grid = community_grids[(home.building - 1) * len(community_grids) // BUILDINGS]
            household = Household(community_id=community.pk)
            members = []
            people = home.people[: count - written - pending_people]
            for person in people:
                age = _age(person.born, ref)
                status, since = (Status.LIVING_HERE, None) if home.from_report else population.status(age)
                document_type, number = population.document(person.born, person.sex)
                if person.name not in pinyin_cache:
                    pinyin_cache[person.name] = pinyin_keys(person.name)
                members.append(
                    Resident(
                        name=person.name,
                        name_pinyin=pinyin_cache[person.name][0],
                        name_initials=pinyin_cache[person.name][1],
                        document_type=document_type,
                        id_number=number,
                        birth_date=person.born,
                        sex=person.sex,
                        phone=person.phone,
                        community_id=community.pk,
                        grid_id=grid.pk,
                        building=str(home.building),
                        building_unit=str(home.unit),
                        room=home.room,
                        relation_to_head=person.relation,
                        mobility=person.mobility,
                        lives_alone=len(people) == 1 and age >= 60,
                        party_member=person.party_joined is not None,
                        party_joined_year=person.party_joined,
                        status=status,
                        status_since=since,
                    )
                )
            pending.append((household, members))
            pending_people += len(members)
            if pending_people >= BATCH:
                written += _write(pending, summary)
                pending, pending_people = [], 0
                progress(f"居民 {written}/{count}")
        if pending:
            written += _write(pending, summary)
            progress(f"居民 {written}/{count}")
    return written


def analyze() -> None:
    """Refresh the query planner's statistics of the tables a bulk load filled.

    Without them the planner guesses: SQLite, for one, then prefers the community index
    to a name index for a search, and reads a whole community to find three names. On
    PostgreSQL, outside a transaction, VACUUM too: until the visibility map is set no
    count can be answered from an index alone.
    """
    verb = (
        "VACUUM ANALYZE"
        if connection.vendor == "postgresql" and not connection.in_atomic_block
        else "ANALYZE"
    )
    with connection.cursor() as cursor:
        for model in (Community, Grid, Household, Resident, SearchKey, TimelineEntry, *DRIVE_TABLES):
            cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")


def _write(pending: list[tuple[Household, list[Resident]]], summary: str) -> int:
    households = Household.objects.bulk_create([h for h, _m in pending])
    residents = []
    for household, members in zip(households, (m for _h, m in pending), strict=True):
        for resident in members:
            resident.household_id = household.pk
        residents.extend(members)
    Resident.objects.bulk_create(residents, batch_size=BATCH)
    searchkeys.add(residents)
    now = timezone.now()
    bulk.insert(
        TimelineEntry,
        (
            TimelineEntry(resident_id=r.pk, at=now, kind=TimelineKind.REGISTERED, summary=summary)
            for r in residents
        ),
    )
    heads = Resident.objects.filter(household=OuterRef("pk"), relation_to_head=HEAD).values("pk")[:1]
    Household.objects.filter(pk__in=[h.pk for h in households]).update(head=Subquery(heads))
    return len(residents)
