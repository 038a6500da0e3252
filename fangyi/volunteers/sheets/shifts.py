"""Who served which shift, as a spreadsheet kind: `fangyi import shifts FILE`.

One row is one volunteer at one shift: 姓名, 手机号, 队伍, 日期, 签到时间, 签退时间, 地点,
岗位. A check-out earlier than the check-in is on the next day (a night shift). The row
finds the volunteer by mobile number (adding one not yet listed, with their team) and
the shift by day, place and duty (adding one not yet planned, from the row's times), and
records both times; importing the same sheet again changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.actors import SystemActor, account
from fangyi.org.models import Staff
from fangyi.org.roles import Perm, Scope
from fangyi.residents import phone as phones
from fangyi.sheets import values as v
from fangyi.sheets.headers import Header, header_key
from fangyi.sheets.kinds import Checked, Column, Context, Field, Kind, RowError
from fangyi.volunteers import domain
from fangyi.volunteers.models import Assignment, Duty, Shift, Volunteer
from fangyi.volunteers.sheets import fields as f
from fangyi.volunteers.sheets.common import Places, Roster, subdistrict_of
from fangyi.volunteers.sheets.people import FIELDS as PEOPLE

NAME, PHONE, TEAM = PEOPLE[0], PEOPLE[1], PEOPLE[2]
FIELDS = (
    NAME,
    PHONE,
    TEAM,
    Field(
        "date",
        gettext_lazy("日期"),
        ("服务日期", "值班日期"),
        v.date,
        required=True,
        example="2022-01-24",
        width=12,
    ),
    Field(
        "check_in",
        gettext_lazy("签到时间"),
        ("签到", "到岗时间", "开始时间"),
        f.clock,
        required=True,
        example="07:50",
        width=10,
    ),
    Field(
        "check_out",
        gettext_lazy("签退时间"),
        ("签退", "离岗时间", "结束时间"),
        f.clock,
        required=True,
        example="12:10",
        width=10,
    ),
    Field(
        "place",
        gettext_lazy("地点"),
        ("服务地点", "站点", "岗位地点"),
        v.bounded_text(100),
        required=True,
        example="社区卫生服务中心",
        width=18,
    ),
    Field(
        "duty",
        gettext_lazy("岗位"),
        ("职责", "服务内容", "任务"),
        f.duty,
        example=str(Duty.ORDER.label),
        width=12,
        options=tuple(label for _value, label in Duty.choices),
    ),
)


@dataclass
class State:
    roster: Roster
    places: Places
    community_id: int | None  # a community posting imports its own community's shifts only


def _shift_key(values: dict[str, Any]) -> tuple[Any, ...]:
    """A checked row's shift: day, place (the site's or community's name when the place
    is one: 万达新城社区 is 万达新城's shift) and duty."""
    return (values["date"], values["place_key"], values["duty"])


class Shifts(Kind[State]):
    name = "shifts"
    label = gettext_lazy("志愿者班次")
    key = "phone"
    fields = FIELDS
    view_perm = Perm.VIEW_VOLUNTEERS
    edit_perm = Perm.MANAGE_VOLUNTEERS
    foreign_message = gettext_lazy("不在您的管辖范围内。")
    duplicate_message = gettext_lazy("与第%(first)d行重复：同一人同一天同一地点同一岗位只能有一行。")

    def row_key(self, values: dict[str, Any]) -> Any:
        if not (values.get("phone") and values.get("date") and values.get("place")):
            return None
        return (
            values["phone"],
            values["date"],
            header_key(values["place"]),
            values.get("duty") or Duty.ORDER,
        )

    def start(self, ctx: Context, header: Header) -> State:
        subdistrict = subdistrict_of(ctx.actor)
        actor = ctx.actor
        own = actor.community_id if actor.scope != Scope.SUBDISTRICT else None
        return State(Roster.load(subdistrict), Places.load(subdistrict), own)

    def check(self, ctx: Context, state: State, values: dict[str, Any], row: int) -> dict[str, Any]:
        checked_in, checked_out = domain.attendance_on(
            values["date"], values["check_in"], values["check_out"]
        )
        try:
            domain.check_times(checked_in, checked_out)
        except domain.VolunteerError as exc:
            raise RowError([("check_out", str(exc))]) from None
        if checked_in > timezone.now():
            raise RowError([("date", _("签到时间晚于现在。"))])
        site, community = state.places.find(values["place"])
        if state.community_id is not None and (community is None or community.pk != state.community_id):
            raise RowError([("place", _("只能导入本社区的班次：地点应为本社区。"))])
        return {
            **values,
            "duty": values.get("duty") or Duty.ORDER,
            "checked_in": checked_in,
            "checked_out": checked_out,
            "place_key": header_key(site.name if site else community.name if community else values["place"]),
            "site_id": site.pk if site else None,
            "community_id": community.pk if community else None,
            "row": row,
        }

    def write(self, ctx: Context, state: State, rows: Checked) -> None:
        shifts: dict[tuple[Any, ...], Shift] = {}
        for chunk in rows:
            checked = [values for _n, values in chunk]
            known = state.roster.volunteers({values["phone"] for values in checked})
            self._load_shifts(state, checked, shifts)
            created = updated = unchanged = 0
            for values in checked:
                volunteer = known.get(values["phone"])
                shift = shifts.get(_shift_key(values))
                stored = (
                    Assignment.objects.filter(shift=shift, volunteer=volunteer).first()
                    if volunteer is not None and shift is not None and shift.pk
                    else None
                )
                times = (values["checked_in"], values["checked_out"])
                if stored is None:
                    created += 1
                elif (stored.checked_in_at, stored.checked_out_at) != times:
                    updated += 1
                else:
                    unchanged += 1
                    continue
                if rows.dry_run:
                    continue
                if volunteer is None:
                    volunteer = known[values["phone"]] = self._new_volunteer(state, values)
                if shift is None or shift.pk is None:
                    shift = shifts[_shift_key(values)] = self._new_shift(ctx, state, values)
                domain.record_attendance(shift, volunteer, *times, ctx.actor)
            rows.counted(created=created, updated=updated, unchanged=unchanged)
        if not rows.dry_run:
            self._make_room(shifts.values())

    def _load_shifts(
        self, state: State, rows: list[dict[str, Any]], shifts: dict[tuple[Any, ...], Shift]
    ) -> None:
        """The stored shifts the rows name (by day, place and duty; the earliest of a day's)."""
        days = {values["date"] for values in rows}
        stored = (
            Shift.objects.filter(subdistrict=state.roster.subdistrict, date__in=days)
            .select_related("site", "community")
            .order_by("-start", "-id")
        )
        for shift in stored:
            shifts[(shift.date, header_key(shift.where), shift.duty)] = shift

    def _new_volunteer(self, state: State, values: dict[str, Any]) -> Volunteer:
        volunteer = Volunteer.objects.create(
            subdistrict=state.roster.subdistrict,
            team=state.roster.team(values.get("team"), create=True),
            name=values.get("name") or values["phone"],
            phone=values["phone"],
        )
        state.roster.by_phone[volunteer.phone] = volunteer
        return volunteer

    def _new_shift(self, ctx: Context, state: State, values: dict[str, Any]) -> Shift:
        named = values["site_id"] or values["community_id"]
        return Shift.objects.create(
            subdistrict=state.roster.subdistrict,
            date=values["date"],
            start=values["check_in"],
            end=values["check_out"],
            site_id=values["site_id"],
            community_id=values["community_id"],
            place="" if named else values["place"],
            duty=values["duty"],
            needed=1,
            note=_("由表格“%(f)s”导入") % {"f": ctx.source},
            created_by=account(ctx.actor),
        )

    def _make_room(self, shifts: Any) -> None:
        """A shift that served more volunteers than it asked for needed them: its number
        grows to the count (a sheet records what happened)."""
        for shift in shifts:
            if shift.pk is None:
                continue
            count = shift.assignments.count()
            if count > shift.needed:
                Shift.objects.filter(pk=shift.pk).update(needed=count)

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        qs = Assignment.objects.visible_to(actor).select_related(
            "volunteer__team", "shift__site", "shift__community"
        )
        if community is not None:
            qs = qs.filter(Q(shift__community=community) | Q(volunteer__community=community))
        return qs.order_by("shift__date", "shift__start", "volunteer__name", "id").iterator(chunk_size=2000)

    def export_columns(self, unmasked: bool) -> list[Column]:
        def number(a: Assignment) -> str:
            return a.volunteer.phone if unmasked else phones.mask(a.volunteer.phone)

        def clock(moment: datetime.datetime | None) -> str:
            if moment is None:
                return ""
            local = timezone.localtime(moment)
            return f"{local:%H:%M:%S}" if local.second else f"{local:%H:%M}"

        return [
            Column(_("姓名"), lambda a: a.volunteer.name, width=10),
            Column(_("手机号"), number, as_text=True, width=14),
            Column(_("队伍"), lambda a: a.volunteer.team.name if a.volunteer.team else "", width=20),
            Column(_("日期"), lambda a: a.shift.date, width=12),
            Column(_("签到时间"), lambda a: clock(a.checked_in_at), as_text=True, width=10),
            Column(_("签退时间"), lambda a: clock(a.checked_out_at), as_text=True, width=10),
            Column(_("地点"), lambda a: a.shift.where, width=18),
            Column(_("岗位"), lambda a: a.shift.get_duty_display(), width=12),
            Column(_("时长（小时）"), lambda a: float(domain.served(a)), width=10),
        ]
