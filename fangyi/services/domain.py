"""Errands: logged, handed out, run and closed. The only writers of the app.

Every step is a conditional UPDATE on the errand's state: two taps of the same button
(or two people at once) move it once; the second is refused with the state it found.
Each step is kept (ErrandStep) and, for a resident, written on their timeline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.measures.contributions import HelpRequest
from fangyi.measures.domain import events
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM, SystemActor, account
from fangyi.org.models import Community, Grid, Staff, Subdistrict
from fangyi.org.roles import ERRAND_RUNNERS
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.services.models import Errand, ErrandKind, ErrandState, ErrandStep, ErrandTarget, Source, Urgency
from fangyi.services.timeline import TimelineKind

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

Actor = Staff | SystemActor
S = ErrandState


class ErrandRefused(ValueError):
    """A step the errand's state (or the person named) does not allow; nothing changed."""


# What each step does: the states it starts from, the state it leads to, and what the
# refusal says it could not do.
STEPS: dict[str, tuple[tuple[str, ...], str, object]] = {
    "assign": ((S.NEW, S.ASSIGNED), S.ASSIGNED, gettext_lazy("派单")),
    "start": ((S.ASSIGNED,), S.ON_THE_WAY, gettext_lazy("标为在途")),
    "deliver": ((S.ASSIGNED, S.ON_THE_WAY), S.DELIVERED, gettext_lazy("标为已送达")),
    "close": ((S.DELIVERED,), S.CLOSED, gettext_lazy("办结")),
    "cancel": ((S.NEW, S.ASSIGNED, S.ON_THE_WAY), S.CANCELLED, gettext_lazy("取消")),
}


@dataclass
class ErrandInput:
    """A request: for a resident of the register (name, phone, address, community and
    grid taken from it), or for anyone else (typed in, with the community)."""

    kind: str
    details: str
    urgency: str = Urgency.NORMAL
    source: str = Source.PHONE
    resident: Resident | None = None
    name: str = ""
    phone: str = ""
    address: str = ""
    community: Community | None = None
    grid: Grid | None = None
    subdistrict: Subdistrict | None = None
    case_id: int | None = None
    assignee: Staff | None = None
    caller: str = ""


def pickup_minutes(community_id: int | None) -> int:
    """How long a request of this community may wait to be taken: its own target, else
    the setting FANGYI_ERRAND_PICKUP_MINUTES (2 hours)."""
    own = (
        ErrandTarget.objects.filter(community_id=community_id)
        .values_list("pickup_minutes", flat=True)
        .first()
    )
    return own or settings.FANGYI_ERRAND_PICKUP_MINUTES


def set_pickup_target(community: Community, minutes: int | None) -> None:
    """Set how soon `community` promises to take a request (None: back to the default).
    Requests already made keep the deadline they were given."""
    if minutes is None:
        ErrandTarget.objects.filter(community=community).delete()
    else:
        ErrandTarget.objects.update_or_create(community=community, defaults={"pickup_minutes": minutes})


def waited_minutes(errand: Errand, now: datetime.datetime | None = None) -> int:
    """How long the request waited to be taken (or has waited so far, or until it was
    cancelled untaken), in minutes."""
    end = errand.assigned_at or errand.finished_at or (now or timezone.now())
    return max(int((end - errand.requested_at).total_seconds() // 60), 0)


def is_late(errand: Errand, now: datetime.datetime | None = None) -> bool:
    """Not taken by its pickup deadline (the list highlights it)."""
    return errand.state == S.NEW and errand.due_at <= (now or timezone.now())


def log_errand(data: ErrandInput, actor: Actor, now: datetime.datetime | None = None) -> Errand:
    """Write a new request (state 待接单), due to be taken within its community's target;
    handed straight to `data.assignee` when one is named (see assign).

    Raises ErrandRefused without a name or an address, or without a subdistrict."""
    now = now or timezone.now()
    name, phone, address = data.name.strip(), data.phone.strip(), data.address.strip()
    community, grid = data.community, data.grid
    if data.resident is not None:
        resident = data.resident
        name, phone = resident.name, phone or resident.phone
        community, grid = resident.community, resident.grid
        address = address or f"{resident.community.name}{resident.address}"
    subdistrict_id = (
        community.subdistrict_id if community is not None else getattr(data.subdistrict, "pk", None)
    )
    if not name:
        raise ErrandRefused(_("请填写为谁办理（姓名）。"))
    if not address:
        raise ErrandRefused(_("请填写送到哪里（地址）。"))
    if subdistrict_id is None:
        raise ErrandRefused(_("请选择社区。"))
    if grid is not None and community is not None and grid.community_id != community.pk:
        raise ErrandRefused(_("网格不属于所选社区。"))
    with transaction.atomic():
        errand = Errand.objects.create(
            subdistrict_id=subdistrict_id,
            community=community,
            grid=grid,
            resident=data.resident,
            case_id=data.case_id,
            name=name[:50],
            phone=phone[:20],
            address=address[:200],
            kind=data.kind,
            details=data.details.strip()[:300],
            urgency=data.urgency,
            source=data.source,
            caller=data.caller.strip()[:50],
            requested_by=account(actor),
            requested_at=now,
            due_at=now + datetime.timedelta(minutes=pickup_minutes(getattr(community, "pk", None))),
        )
        _note(
            errand,
            actor,
            now,
            S.NEW,
            _("%(source)s：%(details)s")
            % {
                "source": errand.get_source_display(),
                "details": errand.details,
            },
        )
        if data.assignee is not None:
            assign(errand, data.assignee, actor, now)
    return errand


def assignees(errand: Errand | None, actor: Actor, community_id: int | None = None) -> QuerySet[Staff]:
    """Who may be given the errand (roles.ERRAND_RUNNERS): active staff of its
    subdistrict posted to its community, or to no community (volunteers)."""
    community_id = errand.community_id if errand is not None else community_id
    people = Staff.objects.colleagues_of(actor).filter(role__in=ERRAND_RUNNERS, is_active=True)
    if errand is not None:
        people = people.filter(subdistrict_id=errand.subdistrict_id)
    posting = Q(community__isnull=True)
    if community_id is not None:
        posting |= Q(community_id=community_id)
    return people.filter(posting).order_by("role", "display_name", "id")


def assign(errand: Errand, assignee: Staff, actor: Actor, now: datetime.datetime | None = None) -> Errand:
    """Give a new errand to `assignee`, or give an assigned one to someone else.

    Raises ErrandRefused for someone who may not run it (assignees), or when the errand
    is already theirs or past being handed out."""
    if not assignees(errand, SYSTEM).filter(pk=assignee.pk).exists():
        raise ErrandRefused(
            _("%(name)s不能承办这条代买代办（须是本社区的工作人员、网格员或志愿者）。")
            % {"name": assignee.display_name or assignee.username}
        )
    now = now or timezone.now()
    taken = Q(state=S.NEW) | (Q(state=S.ASSIGNED) & ~Q(assignee_id=assignee.pk))
    return _step(
        errand,
        "assign",
        actor,
        now,
        _("派给%(name)s") % {"name": assignee.display_name or assignee.username},
        condition=taken,
        assignee_id=assignee.pk,
        assigned_at=Coalesce(F("assigned_at"), Value(now)),
    )


def start(errand: Errand, actor: Actor, now: datetime.datetime | None = None) -> Errand:
    """The assignee sets off (在途). Refused unless assigned."""
    now = now or timezone.now()
    return _step(errand, "start", actor, now, "", started_at=now)


def deliver(
    errand: Errand,
    actor: Actor,
    *,
    note: str = "",
    photo: UploadedFile | None = None,
    cost: Decimal | None = None,
    now: datetime.datetime | None = None,
) -> Errand:
    """Delivered, contactless: what was left where (`note`), a photo, the money the runner
    advanced (`cost`, to be repaid). Refused unless assigned or on the way."""
    now = now or timezone.now()
    if cost is not None and cost < 0:
        raise ErrandRefused(_("垫付金额不能为负数。"))
    summary = note.strip()
    if cost:
        summary = "；".join(filter(None, [summary, _("垫付%(cost)s元") % {"cost": cost}]))
    with transaction.atomic():
        _step(
            errand,
            "deliver",
            actor,
            now,
            summary,
            delivered_at=now,
            delivery_note=note.strip()[:300],
            cost=cost,
        )
        if photo is not None:
            errand.photo.save(photo.name or "photo", photo, save=False)
            Errand.objects.filter(pk=errand.pk).update(photo=errand.photo.name)
    return errand


def close(errand: Errand, actor: Actor, now: datetime.datetime | None = None) -> Errand:
    """Done (办结): checked back with the person. Refused unless delivered."""
    now = now or timezone.now()
    return _step(errand, "close", actor, now, "", finished_at=now)


def cancel(errand: Errand, actor: Actor, reason: str, now: datetime.datetime | None = None) -> Errand:
    """The person no longer needs it (or it was logged twice). Refused once delivered,
    closed or cancelled, and without a reason."""
    if not reason.strip():
        raise ErrandRefused(_("请填写取消原因。"))
    now = now or timezone.now()
    return _step(
        errand, "cancel", actor, now, reason.strip(), finished_at=now, cancel_reason=reason.strip()[:200]
    )


def mark_repaid(errand: Errand, actor: Actor, now: datetime.datetime | None = None) -> Errand:
    """The person paid back what the runner advanced. Refused without an advance, or
    when already repaid."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = Errand.objects.filter(pk=errand.pk, cost__gt=0, repaid=False).update(
            repaid=True, repaid_at=now
        )
        errand.refresh_from_db()
        if not moved:
            if errand.repaid:
                raise ErrandRefused(_("垫付款已登记为还清。"))
            raise ErrandRefused(_("这条代买代办没有垫付款。"))
        _note(errand, actor, now, errand.state, _("垫付款%(cost)s元已还清") % {"cost": errand.cost})
    return errand


def _step(
    errand: Errand,
    step: str,
    actor: Actor,
    now: datetime.datetime,
    note: str,
    *,
    condition: Q | None = None,
    **changes: object,
) -> Errand:
    """Move `errand` by `step` if its state (read by the UPDATE itself) allows it, note
    the step; else ErrandRefused naming the state found, and nothing changed."""
    sources, target, verb = STEPS[step]
    with transaction.atomic():
        rows = Errand.objects.filter(pk=errand.pk).filter(condition or Q(state__in=sources))
        moved = rows.update(state=target, **changes)
        errand.refresh_from_db()
        if not moved:
            if step == "assign" and errand.state == S.ASSIGNED:
                raise ErrandRefused(
                    _("这条代买代办已经派给了%(name)s。") % {"name": _person(errand.assignee)}
                )
            raise ErrandRefused(
                _("这条代买代办现在是“%(state)s”，不能%(step)s。")
                % {"state": errand.get_state_display(), "step": verb}
            )
        _note(errand, actor, now, target, note)
    return errand


def _person(staff: Staff | None) -> str:
    return (staff.display_name or staff.username) if staff is not None else "—"


def _note(errand: Errand, actor: Actor, now: datetime.datetime, state: str, note: str) -> None:
    """Keep the step, and put it on the resident's timeline and the case's (a person
    under measures)."""
    ErrandStep.objects.create(errand=errand, at=now, by=account(actor), state=state, note=note[:300])
    summary = _("%(kind)s：%(state)s") % {
        "kind": errand.get_kind_display(),
        "state": ErrandState(state).label,
    }
    case = errand.case if errand.case_id is not None else None
    if case is not None:
        events.record(
            case,
            EventKind.ERRAND,
            (f"{summary}（{note}）" if note else summary)[:300],
            actor,
            at=now,
            errand_id=errand.pk,
        )
    if errand.resident_id is None:
        return
    TimelineEntry.objects.create(
        resident_id=errand.resident_id,
        actor=account(actor),
        kind=TimelineKind.ERRAND,
        summary=(f"{summary}（{note}）" if note else summary)[:300],
        details={"errand_id": errand.pk},
    )


# The self-report page's help button (measures.contributions.on_help_request).

# Words of the person's note that say what kind of errand it is; the first found wins.
KIND_WORDS: tuple[tuple[str, ErrandKind], ...] = (
    ("药", ErrandKind.MEDICINE),
    ("快递", ErrandKind.PARCEL),
    ("包裹", ErrandKind.PARCEL),
    ("垃圾", ErrandKind.GARBAGE),
    ("就医", ErrandKind.MEDICAL_VISIT),
    ("看病", ErrandKind.MEDICAL_VISIT),
    ("菜", ErrandKind.GROCERIES),
    ("水果", ErrandKind.GROCERIES),
    ("米", ErrandKind.GROCERIES),
)


def kind_of(note: str) -> ErrandKind:
    return next((kind for word, kind in KIND_WORDS if word in note), ErrandKind.OTHER)


def help_requested(request: HelpRequest) -> str:
    """An errand (source 自助上报) for the case's grid, or its community when it has no
    grid, from the self-report page's help button; returns what the person is told."""
    community = Community.objects.filter(pk=request.community_id).first() if request.community_id else None
    grid = Grid.objects.filter(pk=request.grid_id, community=community).first() if request.grid_id else None
    resident = Resident.objects.filter(pk=request.resident_id).select_related("community", "grid").first()
    note = request.note.strip() or _("求助")
    data = ErrandInput(
        kind=kind_of(note),
        details=note,
        source=Source.SELF_REPORT,
        resident=resident if request.resident_id else None,
        name=request.name,
        phone=request.phone,
        address=request.address,
        community=community,
        grid=grid,
        subdistrict=Subdistrict.objects.filter(pk=request.subdistrict_id).first(),
        case_id=request.case_id,
    )
    try:
        log_errand(data, SYSTEM)
    except ErrandRefused:
        return _("求助没有发送成功，请直接拨打社区电话。")
    if (resident.grid_id if resident else None) or grid is not None:
        return _("已转给网格员，请保持电话畅通。")
    return _("已转给社区工作人员，请保持电话畅通。")
