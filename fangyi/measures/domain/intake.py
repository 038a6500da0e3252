"""Receiving a person: from a list pushed down (the import), by hand, through the API,
or reported by a resident. One function, whatever the door."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from fangyi.measures.domain import events
from fangyi.measures.domain.plan import followed_edition, plan
from fangyi.measures.models import OPEN_STATES, Case, CaseMeasure, Category, MeasureState, Push, Source
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Community, Grid, Staff, Subdistrict
from fangyi.residents.models import Resident
from fangyi.sheets.headers import header_key

BUILDING = re.compile(r"(\d+)\s*(?:号楼|栋|幢|号院|号)")


@dataclass
class Arrival:
    """A person as a list (or a form) gives them."""

    name: str
    category: Category
    pushed_at: datetime.datetime
    document_number: str = ""
    phone: str = ""
    address: str = ""
    origin: str = ""
    exposure_date: datetime.date | None = None
    batch: str = ""
    source: str = Source.PUSHED
    community: Community | None = None  # named by the list, or chosen by hand
    grid: Grid | None = None


class Categories:
    """The categories as lists and partner systems name them: by name, alias or code,
    whatever the spaces and the width of the characters."""

    def __init__(self) -> None:
        rows = list(Category.objects.all())
        self.by_word: dict[str, Category] = {}
        for category in rows:
            for word in (*category.names(), category.code):
                self.by_word.setdefault(header_key(word), category)
        self.names = "、".join(c.name for c in rows)

    def find(self, text: str) -> Category | None:
        return self.by_word.get(header_key(text))

    def unknown(self, text: str) -> str:
        return f"人员类别“{text}”无法识别；可选：{self.names}。"


def locate(subdistrict: Subdistrict, address: str) -> tuple[Community | None, Grid | None]:
    """The community and grid of an address, from the register: the community whose name
    the address contains (the longest, so that 宜白路社区 wins over 宜白), then the grid
    where most of the register's residents of that building live. (None, None) when
    nothing matches: the case waits in the subdistrict's triage list."""
    text = address.replace(" ", "")
    if not text:
        return None, None
    named = [c for c in Community.objects.filter(subdistrict=subdistrict) if _short(c.name) in text]
    if not named:
        return None, None
    community = max(named, key=lambda c: len(_short(c.name)))
    match = BUILDING.search(text[text.find(_short(community.name)) :])
    if match is None:
        return community, None
    busiest = (
        Resident.objects.filter(community=community, building=match.group(1), grid__isnull=False)
        .values("grid")
        .annotate(n=Count("id"))
        .order_by("-n", "grid")
        .first()
    )
    grid = Grid.objects.get(pk=busiest["grid"]) if busiest else None
    return community, grid


def _short(name: str) -> str:
    """A community as addresses write it: 宜白路社区 → 宜白路."""
    return name.removesuffix("社区") or name


def normalise_document(number: str) -> str:
    return number.strip().replace(" ", "").upper()


def verify_deadline(pushed_at: datetime.datetime) -> datetime.datetime:
    return pushed_at + datetime.timedelta(hours=settings.FANGYI_MEASURES_VERIFY_HOURS)


def receive(arrival: Arrival, subdistrict: Subdistrict, actor: Staff | SystemActor) -> tuple[Case, bool]:
    """Open a case for `arrival`, or merge it into the person's open case (same document
    number in the subdistrict): the push is kept on the case with its batch and source,
    nothing is duplicated. A push already on record (same person, batch and push time)
    is not added again. Returns (case, created)."""
    number = normalise_document(arrival.document_number)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                open_case = (
                    Case.objects.select_for_update()
                    .filter(subdistrict=subdistrict, document_number=number, state__in=OPEN_STATES)
                    .first()
                    if number
                    else None
                )
                seen = _seen(subdistrict, number, arrival) if number else None
                if seen is not None:
                    return seen, False
                if open_case is not None:
                    _merge(open_case, arrival, actor)
                    return open_case, False
                return _open_case(arrival, number, subdistrict, actor), True
        except IntegrityError:
            # Someone opened the same person's case a moment ago: merge into theirs.
            continue
    raise IntegrityError("measures_one_open_case")  # pragma: no cover - two losses in a row


def _seen(subdistrict: Subdistrict, number: str, arrival: Arrival) -> Case | None:
    """The case this very push is already on (the same person, batch and push time,
    whatever its state): a list imported again, or a partner system sending again,
    adds nothing."""
    push = (
        Push.objects.filter(
            case__subdistrict=subdistrict,
            case__document_number=number,
            batch=arrival.batch,
            pushed_at=arrival.pushed_at,
        )
        .select_related("case")
        .order_by("-id")
        .first()
    )
    return push.case if push is not None else None


def _open_case(arrival: Arrival, number: str, subdistrict: Subdistrict, actor: Staff | SystemActor) -> Case:
    resident = (
        Resident.objects.filter(id_number=number, community__subdistrict=subdistrict).first()
        if number
        else None
    )
    community, grid = arrival.community, arrival.grid
    if resident is not None and community is None:
        community, grid = resident.community, resident.grid
    if community is None:
        community, grid = locate(subdistrict, arrival.address)
    elif grid is None and arrival.address:
        located_community, located_grid = locate(subdistrict, arrival.address)
        grid = located_grid if located_community == community else None
    address = arrival.address or (
        f"{resident.community.name}{resident.address}" if resident is not None else ""
    )
    edition = followed_edition()
    case = Case.objects.create(
        subdistrict=subdistrict,
        community=community,
        grid=grid,
        resident=resident,
        name=arrival.name.strip(),
        document_number=number,
        phone=arrival.phone.strip() or (resident.phone if resident is not None else ""),
        address=address,
        category=arrival.category,
        edition=edition,
        source=arrival.source,
        origin=arrival.origin,
        exposure_date=arrival.exposure_date,
        pushed_at=arrival.pushed_at,
        batch=arrival.batch,
        verify_deadline=verify_deadline(arrival.pushed_at),
    )
    case.next_deadline = case.verify_deadline
    case.save(update_fields=["next_deadline"])
    propose(case)
    _push(case, arrival, actor)
    events.record(
        case,
        EventKind.PUSHED,
        f"{case.get_source_display()}：{arrival.category.name}"
        + (f"，批次 {arrival.batch}" if arrival.batch else ""),
        actor,
        at=arrival.pushed_at,
        batch=arrival.batch,
    )
    if community is not None:
        where = community.name + (f" {grid.name}" if grid is not None else "")
        events.record(case, EventKind.ASSIGNED, f"分派至 {where}", actor, at=arrival.pushed_at)
    return case


def propose(case: Case) -> list[CaseMeasure]:
    """(Re)write the case's proposed measures from its category, exposure and edition.
    Only while it has not been placed: placed measures change by extend/shorten/move."""
    CaseMeasure.objects.filter(case=case, state=MeasureState.PROPOSED).delete()
    anchor = case.exposure_date or timezone.localtime(case.pushed_at).date()
    rows = [
        CaseMeasure(
            case=case,
            order=number,
            measure_type=step.measure_type,
            state=MeasureState.PROPOSED,
            start=step.start,
            end=step.end,
            test_days=step.test_days,
            report_times=step.report_times,
            fever_threshold=step.fever_threshold,
            symptoms=step.symptoms,
        )
        for number, step in enumerate(plan(case.category, case.edition, anchor), start=1)
    ]
    return CaseMeasure.objects.bulk_create(rows)


def _merge(case: Case, arrival: Arrival, actor: Staff | SystemActor) -> None:
    _push(case, arrival, actor)
    changed = []
    if arrival.batch and arrival.batch != case.batch:
        case.batch = arrival.batch
        changed.append("batch")
    for name in ("phone", "address", "origin"):
        if not getattr(case, name) and getattr(arrival, name):
            setattr(case, name, getattr(arrival, name).strip())
            changed.append(name)
    if changed:
        case.save(update_fields=[*changed, "updated_at"])
    note = "" if arrival.category == case.category else f"（本次推送类别：{arrival.category.name}）"
    events.record(
        case,
        EventKind.PUSHED_AGAIN,
        f"再次推送，已并入当前记录{note}" + (f"，批次 {arrival.batch}" if arrival.batch else ""),
        actor,
        at=arrival.pushed_at,
        batch=arrival.batch,
    )


def _push(case: Case, arrival: Arrival, actor: Staff | SystemActor) -> Push:
    return Push.objects.create(
        case=case,
        source=arrival.source,
        batch=arrival.batch,
        pushed_at=arrival.pushed_at,
        by=account(actor),
        category=arrival.category,
        details={
            "name": arrival.name,
            "phone": arrival.phone,
            "address": arrival.address,
            "origin": arrival.origin,
            "exposure_date": arrival.exposure_date.isoformat() if arrival.exposure_date else "",
        },
    )
