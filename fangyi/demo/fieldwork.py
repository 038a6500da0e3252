"""The drive's fieldwork around the doses: outreach attempts with every outcome and
reason (cadres credited to their units), the appointments and home-visit routes of the
demo date and the day after, observations in progress, and adverse events at each stage.

Rows are shaped as the domain shapes them (its follow-up days, its outcome → reason
table, its timeline lines) and written in bulk; the few adverse events go through the
domain's own functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fangyi.demo import bulk
from fangyi.demo.drive import Drawer, Elder, History, _field, dated, dose_entries
from fangyi.demo.org import FieldStaff
from fangyi.org.actors import SYSTEM
from fangyi.org.models import Site
from fangyi.residents.models import Mobility, TimelineEntry
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.outreach import (
    OUTCOME_REASON,
    AttemptInput,
    attempt_summary,
    default_follow_up,
)
from fangyi.vaccination.domain.rules import classify
from fangyi.vaccination.models import (
    AdverseEvent,
    AefiCategory,
    Appointment,
    AppointmentKind,
    Channel,
    Dose,
    HomeVisitRoute,
    Observation,
    Outcome,
    OutreachAttempt,
    Protocol,
    ReasonRecord,
    RefusalCategory,
    Screening,
    Severity,
)
from fangyi.vaccination.timeline import TimelineKind as VaccinationTimeline

# What came of the last attempt with the people 60+ still not vaccinated: (outcome, weight);
# None: nobody has reached them yet.
OUTCOMES = (
    (Outcome.REFUSED, 30),
    (Outcome.UNREACHABLE, 16),
    (Outcome.AWAY, 9),
    (Outcome.DEFERRED, 8),
    (Outcome.CONTRAINDICATION, 6),
    (Outcome.ELSEWHERE, 5),
    (Outcome.AGREED, 8),
    (None, 18),
)
REFUSALS = (
    (RefusalCategory.SIDE_EFFECTS, 35),
    (RefusalCategory.NO_NEED, 30),
    (RefusalCategory.ILLNESS, 20),
    (RefusalCategory.FAMILY, 10),
    (RefusalCategory.OTHER, 5),
)
ELSEWHERE_PLACES = ("河北省廊坊市", "北京市朝阳区", "天津市河西区", "山东省德州市")


@dataclass
class Written:
    attempts: int = 0
    reasons: int = 0
    appointments: int = 0
    routes: int = 0
    observations: int = 0
    adverse_events: int = 0


class Fieldwork:
    def __init__(self, drawer: Drawer, history: History, staff: FieldStaff, sites: dict[str, Site]) -> None:
        self.drawer, self.history, self.staff, self.sites = drawer, history, staff, sites
        self.rng = drawer.rng
        self.attempts: list[OutreachAttempt] = []
        self.reasons: list[ReasonRecord] = []
        self.entries: list[TimelineEntry] = []
        self.appointments: list[Appointment] = []
        self.doses: list[Dose] = []  # given elsewhere, as residents told the workers

    # -- attempts

    def attempt(
        self,
        elder: Elder,
        day: datetime.date,
        outcome: str,
        *,
        refusal: str = "",
        until: datetime.date | None = None,
        note: str = "",
    ) -> OutreachAttempt:
        """An attempt on `day`, with the community's worker and maybe a seconded cadre."""
        rng = self.rng
        cadres = self.staff.cadres.get(elder.community_id) or []
        cadre = rng.choice(cadres) if cadres and rng.random() < 0.45 else None
        channel = (
            Channel.DOOR
            if cadre
            else rng.choice([Channel.PHONE, Channel.PHONE, Channel.DOOR, Channel.FAMILY])
        )
        data = AttemptInput(channel=channel, outcome=outcome, refusal_category=refusal, until=until)
        worker = self.staff.workers.get(elder.community_id)
        attempt = OutreachAttempt(
            resident_id=elder.pk,
            at=self.drawer.moment(day),
            channel=channel,
            worker=worker,
            cadre=cadre,
            unit=cadre.unit if cadre else None,
            outcome=outcome,
            refusal_category=refusal,
            note=note,
            until=until,
            follow_up_on=default_follow_up(data, day),
        )
        self.attempts.append(attempt)
        self.entries.append(
            TimelineEntry(
                resident_id=elder.pk,
                at=attempt.at,
                actor=worker,
                kind=VaccinationTimeline.OUTREACH,
                summary=attempt_summary(attempt),
            )
        )
        if outcome in OUTCOME_REASON and outcome != Outcome.ELSEWHERE:
            shown = dict(RefusalCategory.choices).get(refusal, "") if refusal else ""
            self.reasons.append(
                ReasonRecord(
                    resident_id=elder.pk,
                    reason=OUTCOME_REASON[Outcome(outcome)],
                    until=until,
                    note="，".join(p for p in (str(shown), note) if p)[:200],
                    recorded_by=worker,
                    recorded_at=attempt.at,
                )
            )
        return attempt

    def before_the_drive_doses(self) -> None:
        """Those in the drive agreed a few days before their first dose; some had said no,
        or could not be reached, before (those reasons lifted when they agreed)."""
        rng, history = self.rng, self.history
        for pk, day in sorted(history.drive_first.items()):
            elder = history.people[pk]
            agreed = max(
                history.start - datetime.timedelta(days=3), day - datetime.timedelta(days=rng.randint(1, 4))
            )
            if rng.random() < 0.3 or elder.name in ("范芝奇", "王德贵"):
                earlier = agreed - datetime.timedelta(days=rng.randint(2, 8))
                if rng.random() < 0.65 or elder.name in ("范芝奇", "王德贵"):
                    self.attempt(elder, earlier, Outcome.REFUSED, refusal=RefusalCategory.NO_NEED)
                else:
                    self.attempt(elder, earlier, Outcome.UNREACHABLE)
                self.reasons[-1].lifted_on = agreed
            self.attempt(elder, agreed, Outcome.AGREED)

    def the_rest(self) -> list[Elder]:
        """The last attempt with each person 60+ still not vaccinated; every outcome and
        every refusal category at least once. Returns those who agreed."""
        rng, history, date = self.rng, self.history, self.drawer.date
        people = list(history.not_vaccinated)
        outcomes = [o for o, _w in OUTCOMES]
        weights = [w for _o, w in OUTCOMES]
        forced = [o for o in outcomes if o is not None] + [Outcome.REFUSED] * (len(REFUSALS) - 1)
        refusals_forced = [c for c, _w in REFUSALS]
        agreed = []
        for i, elder in enumerate(people):
            outcome = forced[i] if i < len(forced) else rng.choices(outcomes, weights)[0]
            if outcome is None:
                continue
            day = date - datetime.timedelta(days=rng.randint(1, 14))
            if outcome == Outcome.REFUSED:
                refusal = (
                    refusals_forced.pop(0)
                    if refusals_forced
                    else rng.choices([c for c, _w in REFUSALS], [w for _c, w in REFUSALS])[0]
                )
                self.attempt(elder, day, outcome, refusal=refusal)
            elif outcome == Outcome.AWAY:
                self.attempt(elder, day, outcome, until=date + datetime.timedelta(days=rng.randint(7, 60)))
            elif outcome == Outcome.DEFERRED:
                until = date + datetime.timedelta(days=rng.randint(3, 30))
                self.attempt(
                    elder, day, outcome, until=until, note=rng.choice(["血压偏高", "感冒发热", "术后恢复"])
                )
            elif outcome == Outcome.ELSEWHERE:
                self.elsewhere(elder, day)
            elif outcome == Outcome.AGREED:
                agreed.append(elder)
            else:
                self.attempt(elder, day, outcome)
        return agreed

    def elsewhere(self, elder: Elder, day: datetime.date) -> None:
        """Vaccinated elsewhere before the drive (never a first dose of the drive's days):
        the dose as the resident told it, and the reason until the next dose is due."""
        where = self.rng.choice(ELSEWHERE_PLACES)
        attempt = self.attempt(elder, day, Outcome.ELSEWHERE, note=where)
        product = self.drawer.products["众爱可维"]
        given_on = self.history.start - datetime.timedelta(days=self.rng.randint(5, 150))
        nxt = classify([], product, given_on, elder.born)
        dose = Dose(
            resident_id=elder.pk,
            product=product,
            dose_number=nxt.dose_number,
            kind=nxt.kind,
            completes_series=nxt.completes_series,
            given_on=given_on,
            site_name=where,
            screening=Screening.NOT_RECORDED,
            elsewhere=True,
            recorded_by=attempt.worker,
            created_at=attempt.at,
        )
        self.doses.append(dose)
        # As log_attempt does: the reason holds until the next dose is due, if one is.
        until = None
        if not nxt.completes_series:
            until = given_on + datetime.timedelta(
                days=product.interval(nxt.dose_number + 1).get("min_days", 0)
            )
        self.reasons.append(
            ReasonRecord(
                resident_id=elder.pk,
                reason=OUTCOME_REASON[Outcome.ELSEWHERE],
                until=until,
                note=where,
                recorded_by=attempt.worker,
                recorded_at=attempt.at,
            )
        )

    # -- appointments and routes

    def book(self, agreed: list[Elder]) -> list[HomeVisitRoute]:
        """Home visits (people who cannot walk far first) and site slots on the demo date
        and the day after; one route a day with the doctor and the driver 王奎."""
        date, now = self.drawer.date, self.drawer.now
        tomorrow = date + datetime.timedelta(days=1)
        site = self.sites["vaccination_site"]
        for day in (date, tomorrow):
            booking.create_slots(site, day, datetime.time(8, 30), datetime.time(16, 30), 30, 12)
        slots = [s for s in booking.slots_for(SYSTEM, date, site) if s.starts_at > now]
        slots += list(booking.slots_for(SYSTEM, tomorrow, site))
        agreed = sorted(agreed, key=lambda e: e.mobility == Mobility.WALKS)
        home_count = max(4, sum(e.mobility != Mobility.WALKS for e in agreed))
        for i, elder in enumerate(agreed):
            agreed_on = date - datetime.timedelta(days=self.rng.randint(0, 2))
            attempt = self.attempt(elder, agreed_on, Outcome.AGREED)
            appointment = Appointment(
                resident_id=elder.pk,
                date=date if i % 2 == 0 else tomorrow,
                kind=AppointmentKind.HOME,
                outreach=attempt,
                community_id=elder.community_id,
                created_by=attempt.worker,
                created_at=attempt.at,
            )
            if i >= home_count and slots:
                slot = slots[(i * 7) % len(slots)]
                appointment.kind, appointment.slot = AppointmentKind.SITE, slot
                appointment.date = slot.starts_at.astimezone(now.tzinfo).date()
            self.appointments.append(appointment)
            self.entries.append(
                TimelineEntry(
                    resident_id=elder.pk,
                    at=attempt.at,
                    actor=attempt.worker,
                    kind=VaccinationTimeline.APPOINTMENT,
                    summary=_("预约%(what)s") % {"what": booking.describe(appointment)},
                )
            )
        routes = []
        for n, day in enumerate((date, tomorrow)):
            route = HomeVisitRoute(
                date=day,
                name=f"上门接种 {day:%m-%d}",
                doctor=self.staff.doctor,
                driver=self.staff.driver,
                created_by=self.staff.doctor,
            )
            route.save()
            routes.append(route)
            visits = [a for a in self.appointments if a.kind == AppointmentKind.HOME and a.date == day]
            # Tomorrow's last home visit waits for a route of its own.
            for visit in visits[: -1 if n == 1 and len(visits) > 2 else None]:
                visit.route = route
        return routes

    # -- writing

    def write(self) -> Written:
        with dated(_field(ReasonRecord, "recorded_at"), _field(Dose, "created_at")):
            OutreachAttempt.objects.bulk_create(self.attempts, batch_size=2000)
            ReasonRecord.objects.bulk_create(self.reasons, batch_size=2000)
            Dose.objects.bulk_create(self.doses)
        self.entries.extend(dose_entries(self.doses))
        with dated(_field(Appointment, "created_at")):
            Appointment.objects.bulk_create(self.appointments)
        bulk.insert(TimelineEntry, self.entries)
        routes = {a.route_id for a in self.appointments if a.route_id}
        for route in HomeVisitRoute.objects.filter(pk__in=routes):
            booking.reorder(route)
        return Written(len(self.attempts), len(self.reasons), len(self.appointments), len(routes))


def observations(doses: list[Dose], now: datetime.datetime) -> int:
    """The observation of every dose given at a site or at home on the demo date: over
    for most, still running for the last ones (given less than the protocol's minutes ago)."""
    minutes = datetime.timedelta(minutes=Protocol.current().observation_minutes)
    rows = []
    for dose in doses:
        if (
            dose.given_at is None
            or dose.elsewhere
            or dose.given_at.astimezone(now.tzinfo).date() != now.date()
        ):
            continue
        until = dose.given_at + minutes
        ended = until + datetime.timedelta(minutes=dose.pk % 6) if until <= now else None
        rows.append(Observation(dose=dose, started_at=dose.given_at, until=until, ended_at=ended))
    Observation.objects.bulk_create(rows)
    return len(rows)


# The adverse events: (stage, severity, category, symptoms).
EVENTS = (
    ("reported", Severity.MILD, AefiCategory.UNCLASSIFIED, "接种部位红肿、疼痛"),
    ("reported", Severity.MILD, AefiCategory.UNCLASSIFIED, "低热37.8℃，乏力"),
    ("followed", Severity.MILD, AefiCategory.COMMON, "头痛、乏力，次日好转"),
    ("followed", Severity.MODERATE, AefiCategory.COMMON, "发热38.6℃，肌肉酸痛"),
    ("serious", Severity.SEVERE, AefiCategory.UNCLASSIFIED, "接种后20分钟出现皮疹、胸闷，血压下降"),
    ("closed", Severity.MILD, AefiCategory.COMMON, "局部硬结"),
    ("closed", Severity.MODERATE, AefiCategory.PSYCHOGENIC, "头晕、心慌，平卧休息后缓解"),
)


def adverse_events(doses: list[Dose], staff: FieldStaff, date: datetime.date, spared: set[int]) -> int:
    """A few adverse events at each stage, through the domain: just reported, followed
    up, suspected serious and reported upward, closed. Never after the doses of the two
    old men of the report (无不良反应)."""
    recent = [
        d
        for d in doses
        if d.given_at
        and not d.elsewhere
        and 1 <= (date - d.given_on).days <= 7
        and d.resident_id not in spared
    ]
    doctor = staff.doctor
    for i, (stage, severity, category, symptoms) in enumerate(EVENTS):
        if i >= len(recent):
            break
        dose = recent[i * max(1, len(recent) // len(EVENTS))]
        assert dose.given_at is not None
        onset = dose.given_at + datetime.timedelta(minutes=20 if stage == "serious" else 300)
        data = safety.AefiInput(onset, symptoms, severity, suspected_serious=stage == "serious")
        event = safety.report_adverse_event(dose, data, doctor)
        if stage in ("followed", "serious", "closed"):
            safety.follow_up(event, doctor, "电话随访，症状减轻", category=category)
        if stage == "serious":
            safety.follow_up(event, doctor, "已转诊区医院观察", reported_upward=True)
        if stage == "closed":
            safety.close_adverse_event(event, doctor, "痊愈")
            AdverseEvent.objects.filter(pk=event.pk).update(closed_at=onset + datetime.timedelta(days=3))
    return AdverseEvent.objects.filter(dose__in=recent).count()
