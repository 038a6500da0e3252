"""People under measures on the demo date (issue 11), from the seed story: 陶媛 of
万科新城 opens the screening system in the morning, phones the people pushed down to
her, places them under measures and reports everyone's temperature before 10:00 and
16:00 — while a household under home quarantine calls her for groceries.

One person in every state of the cycle, each built through the domain as the pages
build it (receive, the calls, place, the reports, tests, alerts and endings):

- new and not verified yet (one past the 2-hour verification deadline), verifying
  after a failed call, verified and waiting to be placed;
- under each measure type (centralized quarantine in a hotel, home quarantine as a
  household of three, home health monitoring, daily health monitoring) and under each
  edition (8 and 9), with reports on time, one late and one missing (overdue now), a
  fever alert open and one handled, tests due today, one due for release today;
- released, transferred out, moved to hospital, lost to follow-up.

Times are counted back from the demo's moment (story.demo_now), so whatever the hour
the demo is run, nothing lies in its future.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from fangyi.demo import idnumbers
from fangyi.demo.measures_steps import Steps
from fangyi.demo.story import demo_now
from fangyi.measures.domain import plan as rules
from fangyi.measures.domain import schedule
from fangyi.measures.domain.intake import Arrival, receive
from fangyi.measures.models import (
    CallOutcome,
    Case,
    Category,
    Edition,
    Household,
    MeasureType,
    PcrTest,
    ReportSlot,
    State,
)
from fangyi.org.models import Community, Grid, Staff, Subdistrict

COMMUNITY = "万科新城"
BATCH = "津防控推送"  # the demo's batches start so: its cases among others (a benchmark's)
HOTEL = "普东街集中隔离点（如家酒店北辰普东店）"
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
NORMAL = (Decimal("36.4"), Decimal("36.5"), Decimal("36.6"), Decimal("36.7"), Decimal("36.5"))


@dataclass
class Person:
    name: str
    born: datetime.date
    sequence: int  # of the ID number: odd for a man
    phone: str
    building: str  # 万科新城 X号楼…
    category: str
    edition: str
    grid: int = 1
    origin: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"天津市北辰区普东街{COMMUNITY}{self.building}"

    @property
    def document(self) -> str:
        return idnumbers.number(idnumbers.BEICHEN, self.born, self.sequence)


def at(date: datetime.date, back: int, time: str) -> datetime.datetime:
    """`time` on the day `back` days before `date`."""
    return schedule.deadline_on(date - datetime.timedelta(days=back), time)


def _d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class Story:
    """The demo's people under measures, written as of `now`."""

    def __init__(self, sub: Subdistrict, date: datetime.date) -> None:
        self.sub = sub
        self.now = demo_now(date)
        self.today = timezone.localtime(self.now).date()
        self.community = Community.objects.get(subdistrict=sub, name=COMMUNITY)
        self.grids = list(Grid.objects.filter(community=self.community).order_by("id"))
        self.worker = Staff.objects.get(username="demo_worker")  # 陶媛
        self.grid_worker = Staff.objects.get(username="demo_grid")  # 何倩
        self.doctor = Staff.objects.get(username="demo_doctor")  # 林海燕
        self.steps = Steps(self.now)
        self.batch = f"{BATCH}〔{self.today:%Y}〕{self.today:%m%d}"

    # -- moments

    def day(self, back: int, time: str) -> datetime.datetime:
        """`time` on the day `back` days before the demo date."""
        return at(self.today, back, time)

    def ago(self, minutes: int) -> datetime.datetime:
        return self.now - minutes * MINUTE

    # -- people

    def push(self, person: Person, pushed_at: datetime.datetime, exposure: datetime.date | None) -> Case:
        """The person pushed down on the upper level's list, under `person.edition`."""
        rules.follow_edition(person.edition)
        arrival = Arrival(
            name=person.name,
            category=Category.objects.get(code=person.category),
            pushed_at=pushed_at,
            document_number=person.document,
            phone=person.phone,
            address=person.address,
            origin=person.origin,
            exposure_date=exposure,
            batch=f"{self.batch}-{pushed_at:%H%M}",
            community=self.community,
            grid=self.grids[(person.grid - 1) % len(self.grids)],
        )
        case, _created = receive(arrival, self.sub, self.worker)
        return case

    def verified(self, person: Person, pushed_at: datetime.datetime, exposure: datetime.date | None) -> Case:
        case = self.push(person, pushed_at, exposure)
        self.steps.call(
            case, CallOutcome.REACHED, pushed_at + 35 * MINUTE, self.worker, "已电话联系，本人在家"
        )
        return case

    def placed(
        self,
        person: Person,
        pushed_at: datetime.datetime,
        exposure: datetime.date,
        *,
        place: str = "",
        measures: list[rules.Planned] | None = None,
    ) -> Case:
        """Pushed, verified by phone, placed an hour after the push."""
        case = self.verified(person, pushed_at, exposure)
        chosen = measures or schedule.proposed(case)
        if place:
            first = chosen[0]
            chosen = [
                rules.Planned(first.measure_type, first.start, first.end, first.test_days, place),
                *chosen[1:],
            ]
        return schedule.place(case, chosen, self.worker, now=pushed_at + HOUR)

    def report_all(
        self,
        case: Case,
        *,
        late: datetime.datetime | None = None,
        missing: datetime.datetime | None = None,
        fever: dict[int, Decimal] | None = None,
        by: Staff | None = None,
    ) -> list:
        """A report for every slot of `case` due by now: on time (an hour and a half
        before its deadline), except `late` (reported an hour and twenty minutes after)
        and every slot from `missing` on (not reported). `fever` gives the temperature
        of some reports by their place in the list (-1: the last). Slots whose report
        time is still to come stay empty."""
        moments = []
        slots = ReportSlot.objects.filter(case=case, reported_at__isnull=True).order_by("deadline")
        for n, slot in enumerate(slots):
            if missing is not None and slot.deadline >= missing:
                break
            at = (
                slot.deadline + 80 * MINUTE
                if slot.deadline == late
                else slot.deadline - (90 - n % 7) * MINUTE
            )
            if at >= self.now:
                break
            moments.append(at)
        temperatures = [NORMAL[(case.pk + n) % len(NORMAL)] for n in range(len(moments))]
        for n, value in (fever or {}).items():
            temperatures[n] = value
        written = [
            self.steps.report(case, t, at, by or self.grid_worker)
            for at, t in zip(moments, temperatures, strict=True)
        ]
        schedule.refresh(case, now=self.now)
        return written

    def tests_negative(self, case: Case, before: datetime.date | None = None) -> None:
        """Every test of `case` due before `before` (today) sampled that day, negative the next morning."""
        for test in PcrTest.objects.filter(case=case, due_date__lt=before or self.today).order_by("due_date"):
            self.steps.result(test, "negative", self.doctor)

    # -- the story

    def write(self) -> dict[str, int]:
        followed = rules.followed_edition().code
        d = self.day
        # Pushed this morning, not verified yet: one in time, one past its deadline.
        self.push(
            Person("王建军", _d("1978-04-12"), 31, "13602218874", "8号楼1单元302", "close_contact", "9"),
            self.ago(40),
            self.today - datetime.timedelta(days=1),
        )
        self.push(
            Person(
                "李秀英",
                _d("1965-09-03"),
                42,
                "13920146632",
                "11号楼2单元601",
                "secondary_contact",
                "9",
                grid=2,
            ),
            self.ago(190),
            self.today - datetime.timedelta(days=1),
        )
        # Verifying: the first call was not answered.
        case = self.push(
            Person("赵志刚", _d("1983-01-27"), 55, "15822390417", "3号楼1单元102", "companion", "9"),
            self.ago(95),
            self.today - datetime.timedelta(days=1),
        )
        self.steps.call(case, CallOutcome.UNREACHABLE, self.ago(60), self.worker, "无人接听，稍后再打")
        # Verified, waiting to be placed.
        self.verified(
            Person(
                "孙丽华",
                _d("1990-06-18"),
                68,
                "13512267409",
                "6号楼3单元501",
                "medium_risk_arrival",
                "9",
                origin="上海市浦东新区",
            ),
            self.ago(240),
            self.today - datetime.timedelta(days=1),
        )

        # Centralized quarantine in a hotel (9th edition close contact): day 5, a test due today.
        case = self.placed(
            Person("周海涛", _d("1986-11-09"), 71, "13388041256", "2号楼2单元201", "close_contact", "9"),
            d(4, "08:10"),
            self.today - datetime.timedelta(days=5),
            place=HOTEL,
        )
        self.report_all(case, by=self.doctor)
        self.tests_negative(case)
        # Home quarantine, a household of three (secondary contacts): 吴建国 reports for
        # the family; 吴淑芬 was late yesterday at 16:00; 吴昊's reports from yesterday's
        # 16:00 are missing (overdue now).
        family = [
            Person("吴建国", _d("1972-03-15"), 93, "13821907736", "5号楼3单元401", "secondary_contact", "9"),
            Person("吴淑芬", _d("1974-08-22"), 84, "13821907752", "5号楼3单元401", "secondary_contact", "9"),
            Person("吴昊", _d("2001-12-30"), 17, "", "5号楼3单元401", "secondary_contact", "9"),
        ]
        head, wife, son = (
            self.placed(p, d(2, "07:30") + n * MINUTE, self.today - datetime.timedelta(days=3))
            for n, p in enumerate(family)
        )
        self.report_all(head, by=self.worker)
        self.report_all(wife, late=d(1, "16:00"), by=self.worker)
        self.report_all(son, missing=d(1, "16:00"), by=self.worker)
        for case in (head, wife, son):
            self.tests_negative(case)
        # Home health monitoring (8th edition, back from quarantine abroad): test on day 2, today.
        monitoring = MeasureType.objects.get(code="home_monitoring")
        case = self.placed(
            Person(
                "陈桂珍",
                _d("1958-05-06"),
                26,
                "13752031148",
                "9号楼1单元101",
                "inbound",
                "8",
                grid=2,
                origin="入境，境外集中隔离期满",
            ),
            d(1, "09:00"),
            self.today - datetime.timedelta(days=16),
            measures=[rules.sequence(monitoring, self.today - datetime.timedelta(days=1), 7, [2, 7])],
        )
        self.report_all(case)
        # Daily health monitoring (arrived yesterday from a low-risk area): day 1, a test today.
        case = self.placed(
            Person(
                "刘洋",
                _d("1995-02-14"),
                39,
                "18622340915",
                "12号楼1单元403",
                "low_risk_arrival",
                "9",
                origin="河北省廊坊市",
            ),
            d(1, "15:00"),
            self.today - datetime.timedelta(days=1),
        )
        self.report_all(case)
        # Home quarantine (8th edition): a fever this morning (or at the last report), alert open.
        case = self.placed(
            Person(
                "马德福",
                _d("1961-10-01"),
                57,
                "13032088412",
                "7号楼2单元302",
                "same_county_arrival",
                "8",
                origin="河北省廊坊市广阳区",
            ),
            d(5, "09:10"),
            self.today - datetime.timedelta(days=6),
        )
        self.report_all(case, fever={-1: Decimal("37.8")})
        self.tests_negative(case)
        # Home quarantine (8th edition, spatiotemporal companion): yesterday's fever handled; test today.
        case = self.placed(
            Person("张桂兰", _d("1969-07-19"), 48, "13820478861", "10号楼1单元202", "companion", "8"),
            d(1, "08:00"),
            self.today - datetime.timedelta(days=2),
        )
        first = self.report_all(case, fever={0: Decimal("37.5")})[0]
        self.tests_negative(case)
        self.steps.handle(
            first.alerts.get(),
            self.doctor,
            first.reported_at + 40 * MINUTE,
            "上门复测体温36.9℃，无咳嗽乏力，嘱多饮水，继续居家隔离观察",
        )
        # Due for release today: the last day, both tests negative, no alert.
        case = self.placed(
            Person("何丽娟", _d("1988-12-03"), 66, "15900318826", "4号楼2单元502", "companion", "9"),
            d(2, "08:20"),
            self.today - datetime.timedelta(days=3),
        )
        self.report_all(case)
        self.tests_negative(case)
        # Released yesterday evening after 7 days of home quarantine.
        case = self.placed(
            Person(
                "高明",
                _d("1980-04-25"),
                35,
                "13702256613",
                "1号楼1单元601",
                "medium_risk_arrival",
                "9",
                origin="北京市朝阳区",
            ),
            d(7, "09:30"),
            self.today - datetime.timedelta(days=8),
        )
        self.report_all(case)
        self.tests_negative(case, before=self.today)
        self.steps.release(case, self.worker, d(1, "20:00"))
        # Transferred out: not living here.
        case = self.push(
            Person(
                "郑伟",
                _d("1992-09-10"),
                13,
                "15620019374",
                "14号楼1单元101",
                "high_risk_arrival",
                "9",
                origin="北京市海淀区",
            ),
            d(1, "09:00"),
            self.today - datetime.timedelta(days=2),
        )
        self.steps.call(
            case,
            CallOutcome.NOT_HERE,
            d(1, "09:40"),
            self.worker,
            "已在北京市海淀区居住，未返津",
            transfer_to="北京市海淀区学院路街道",
            transfer_date=self.today - datetime.timedelta(days=20),
        )
        # Moved to hospital: a positive test on day 3 of centralized quarantine.
        case = self.placed(
            Person("冯立新", _d("1975-06-30"), 91, "13116024587", "15号楼2单元301", "close_contact", "9"),
            d(3, "08:00"),
            self.today - datetime.timedelta(days=4),
            place=HOTEL,
        )
        self.report_all(case, missing=d(1, "10:00"))  # in hospital from the evening before
        tests = list(PcrTest.objects.filter(case=case).order_by("due_date")[:2])
        self.steps.result(tests[0], "negative", self.doctor)
        self.steps.result(tests[1], "positive", self.doctor)
        self.steps.handle(
            case.alerts.get(), self.doctor, d(2, "18:30"), "已报区疾控，安排120转运至区定点医院"
        )
        self.steps.end(case, State.HOSPITAL, self.doctor, d(2, "20:30"), "核酸阳性，120转运至区定点医院")
        # Lost to follow-up: three unanswered calls, escalated, nobody at the address.
        case = self.push(
            Person(
                "黄建华", _d("1970-02-11"), 77, "13920887105", "16号楼3单元602", "close_contact", "9", grid=3
            ),
            d(2, "09:00"),
            self.today - datetime.timedelta(days=3),
        )
        for n in range(3):
            self.steps.call(case, CallOutcome.UNREACHABLE, d(2, "09:30") + n * HOUR, self.worker, "无人接听")
        self.steps.handle(
            case.alerts.get(), self.worker, d(2, "15:00"), "上门查找，现住址查无此人，已报派出所协查"
        )
        self.steps.end(
            case, State.LOST, self.worker, d(1, "17:00"), "电话无人接听，现住址查无此人，已报街道和派出所协查"
        )
        rules.follow_edition(followed)
        return counts(self.sub)


def counts(sub: Subdistrict) -> dict[str, int]:
    """The demo's cases by state."""
    rows = (
        Case.objects.filter(subdistrict=sub, batch__startswith=BATCH).values("state").annotate(n=Count("id"))
    )
    return {row["state"]: row["n"] for row in rows}


def build(
    sub: Subdistrict, *, date: datetime.date, progress: Callable[[str], None] = lambda _m: None
) -> dict:
    """The people under measures of the demo, unless they are there already (or the
    database has no protocol edition: the rules come with migration 0002)."""
    if Case.objects.filter(subdistrict=sub, batch__startswith=BATCH).exists():
        return counts(sub)
    if not Edition.objects.exists():
        progress("没有防控方案版本（measures 0002_presets），不生成涉疫人员。")
        return {}
    result = Story(sub, date).write()
    progress("涉疫人员：" + "，".join(f"{State(s).label} {n}" for s, n in sorted(result.items())))
    return result


def remove(sub: Subdistrict) -> None:
    """The subdistrict's people under measures, for `fangyi demo --reset` (a case
    protects its community; its pushes, calls, slots, reports, tests, alerts and
    timeline go with it)."""
    Case.objects.filter(subdistrict=sub).delete()
    Household.objects.filter(subdistrict=sub).delete()
