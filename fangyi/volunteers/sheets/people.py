"""The volunteers' list as a spreadsheet kind: `fangyi import volunteers FILE`.

One row is one volunteer, matched by mobile number within the subdistrict, so importing
the same list twice changes nothing. A team named that does not exist yet is created.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.actors import SystemActor
from fangyi.org.models import Community, Staff
from fangyi.org.roles import Perm
from fangyi.residents import idnumber
from fangyi.residents import phone as phones
from fangyi.sheets import values as v
from fangyi.sheets.headers import Header
from fangyi.sheets.kinds import FOREIGN, Checked, Column, Context, Field, Kind, RowError
from fangyi.sheets.places import Places as CommunityNames
from fangyi.volunteers.models import Volunteer
from fangyi.volunteers.sheets import fields as f
from fangyi.volunteers.sheets.common import Roster, subdistrict_of

FIELDS = (
    Field(
        "name",
        gettext_lazy("姓名"),
        ("志愿者姓名", "名字"),
        v.name,
        required=True,
        example="宋彦宝",
        width=10,
    ),
    Field(
        "phone",
        gettext_lazy("手机号"),
        ("手机", "电话", "联系电话", "手机号码"),
        f.mobile,
        required=True,
        example="13920001234",
        as_text=True,
        width=14,
    ),
    Field(
        "team",
        gettext_lazy("队伍"),
        ("志愿服务队", "所属队伍", "团队"),
        v.bounded_text(100),
        example="东旺志愿服务队",
        width=20,
    ),
    Field(
        "id_number",
        gettext_lazy("身份证号"),
        ("身份证号码", "证件号码"),
        f.id_number,
        optional=True,
        as_text=True,
        width=20,
    ),
    Field("skills", gettext_lazy("特长"), ("技能", "专长"), v.bounded_text(200), example="驾驶", width=12),
    Field(
        "community",
        gettext_lazy("所在社区"),
        ("社区", "居住社区"),
        v.bounded_text(100),
        optional=True,
        width=12,
    ),
    Field(
        "address",
        gettext_lazy("住址"),
        ("家庭住址", "居住地", "地址"),
        v.bounded_text(200),
        example="静海大邱庄",
        width=20,
    ),
)
# What a row may change on a stored volunteer (blank cells change nothing).
CHANGED = ("name", "id_number", "skills", "address")


@dataclass
class State:
    roster: Roster
    places: CommunityNames


class Volunteers(Kind[State]):
    name = "volunteers"
    label = gettext_lazy("志愿者")
    key = "phone"
    fields = FIELDS
    view_perm = Perm.VIEW_VOLUNTEERS
    edit_perm = Perm.MANAGE_VOLUNTEERS
    foreign_message = gettext_lazy("这个手机号的志愿者不在您的管辖范围内，不能修改。")
    duplicate_message = gettext_lazy("与第%(first)d行的手机号重复。")

    def start(self, ctx: Context, header: Header) -> State:
        return State(Roster.load(subdistrict_of(ctx.actor)), CommunityNames(ctx.actor))

    def check(self, ctx: Context, state: State, values: dict[str, Any], row: int) -> dict[str, Any]:
        community: Community | None = None
        if values.get("community"):
            community, why = state.places.community(values["community"])
            if community is None:
                raise RowError([("community", why)])
        return {**values, "community_id": community.pk if community else None, "row": row}

    def write(self, ctx: Context, state: State, rows: Checked) -> None:
        visible = set(Volunteer.objects.visible_to(ctx.actor).values_list("pk", flat=True))
        for chunk in rows:
            keys = [checked["phone"] for _n, checked in chunk]
            stored: dict[Any, Any] = {
                p: (vol if vol.pk in visible else FOREIGN)
                for p, vol in state.roster.volunteers(set(keys)).items()
            }
            new, changed = rows.match(chunk, keys, stored, self.changes, lambda c: c["phone"])
            rows.counted(created=len(new), updated=len(changed))
            if rows.dry_run:
                continue
            for i in new:
                values = chunk[i][1]
                volunteer = Volunteer.objects.create(
                    subdistrict=state.roster.subdistrict,
                    team=state.roster.team(values.get("team"), create=True),
                    name=values["name"],
                    phone=values["phone"],
                    id_number=values.get("id_number") or "",
                    skills=values.get("skills") or "",
                    community_id=values["community_id"],
                    address=values.get("address") or "",
                )
                state.roster.by_phone[volunteer.phone] = volunteer
            for volunteer, attrs in changed:
                if "team" in attrs:
                    attrs["team"] = state.roster.team(attrs["team"], create=True)
                for attr, value in attrs.items():
                    setattr(volunteer, attr, value)
                volunteer.save(update_fields=list(attrs))

    def changes(self, current: Volunteer, values: dict[str, Any]) -> dict[str, Any]:
        changed = {a: values[a] for a in CHANGED if values.get(a) and values[a] != getattr(current, a)}
        team = values.get("team")
        if team and (current.team is None or current.team.name != team):
            changed["team"] = team
        if values["community_id"] and values["community_id"] != current.community_id:
            changed["community_id"] = values["community_id"]
        return changed

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        qs = Volunteer.objects.visible_to(actor).select_related("team", "community")
        if community is not None:
            qs = qs.filter(community=community)
        return qs.order_by("team__name", "name", "id").iterator(chunk_size=2000)

    def export_columns(self, unmasked: bool) -> list[Column]:
        def number(vol: Volunteer) -> str:
            return vol.phone if unmasked else phones.mask(vol.phone)

        def id_no(vol: Volunteer) -> str:
            return vol.id_number if unmasked or not vol.id_number else idnumber.mask(vol.id_number)

        return [
            Column(_("姓名"), lambda vol: vol.name, width=10),
            Column(_("手机号"), number, as_text=True, width=14),
            Column(_("队伍"), lambda vol: vol.team.name if vol.team else "", width=20),
            Column(_("身份证号"), id_no, as_text=True, width=20),
            Column(_("特长"), lambda vol: vol.skills, width=12),
            Column(_("所在社区"), lambda vol: vol.community.name if vol.community else "", width=12),
            Column(_("住址"), lambda vol: vol.address, width=20),
        ]
