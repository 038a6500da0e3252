"""A list of people pushed down by the upper level as a spreadsheet kind:
`fangyi import persons FILE`.

One row is one person on the list. Every accepted row goes through
domain.intake.receive(), as a form or the API would: matched to the register by
document number, placed in a community and grid by the named community or the
address, merged into the person's open case when pushed again. A push already on
record (same person, batch and 推送时间) is not added again: importing the same file
twice adds no case and no push. The whole file is written in one transaction.
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

from fangyi.measures.domain.intake import Arrival, Categories, normalise_document, receive
from fangyi.measures.models import OPEN_STATES, Case, Category, Push, Source
from fangyi.measures.sheets.fields import FIELDS
from fangyi.org.actors import SystemActor
from fangyi.org.models import Community, Grid, Staff, Subdistrict
from fangyi.org.roles import Perm, Scope
from fangyi.residents import documents, idnumber
from fangyi.residents import phone as phones
from fangyi.residents.documents import DocumentType
from fangyi.sheets.headers import Header
from fangyi.sheets.kinds import Checked, Column, Context, Kind, RowError
from fangyi.sheets.places import Places
from fangyi.sheets.reader import SheetError

# A last exposure this long before the push is a date from another column (a birth date).
OLDEST_EXPOSURE = datetime.timedelta(days=60)
# A push stamped a little ahead of the server's clock is still taken.
CLOCK_SKEW = datetime.timedelta(minutes=10)
FILTERS = ("state", "community", "grid", "category")


@dataclass
class PersonState:
    places: Places
    categories: Categories
    subdistrict: Subdistrict | None  # for rows that name no community
    # For rows that name none: chosen at upload, or a community's staff's own.
    own_community: Community | None
    own_grid: Grid | None


def mask_document(number: str) -> str:
    return idnumber.mask(number) if len(number) == 18 else documents.mask(DocumentType.PASSPORT, number)


class Persons(Kind[PersonState]):
    name = "persons"
    label = gettext_lazy("涉疫人员")
    key = "id_number"
    fields = FIELDS
    view_perm = Perm.VIEW_MEASURES
    edit_perm = Perm.PLACE_MEASURES  # community staff, not seconded cadres
    foreign_message = gettext_lazy("该人员不在您的管辖范围内。")
    duplicate_message = gettext_lazy("与第%(first)d行重复：同一人在一个文件中只能出现一次。")

    def row_key(self, values: dict[str, Any]) -> Any:
        raw = values.get("id_number")
        if raw is None:
            return None
        document = documents.checked(values.get("document_type") or DocumentType.ID_CARD, raw)
        return None if isinstance(document, str) else document.number

    def start(self, ctx: Context, header: Header) -> PersonState:
        actor = ctx.actor
        subdistrict = None if isinstance(actor, SystemActor) else actor.subdistrict
        if isinstance(actor, SystemActor) and Subdistrict.objects.count() == 1:
            subdistrict = Subdistrict.objects.get()
        if subdistrict is None and "community" not in header.columns:
            raise SheetError(_("表格中没有“社区”列，无法确定人员所在的街道。"))
        places = Places(actor)
        own = actor.community if actor.scope != Scope.SUBDISTRICT else None  # type: ignore[union-attr]
        chosen = ctx.options.get("community")
        if isinstance(chosen, str) and chosen:
            chosen, why = places.community(chosen)
            if chosen is None:
                raise SheetError(why)
        if isinstance(chosen, Community):
            # Chosen at upload (or --community): the rows that name no community.
            own = chosen
        return PersonState(
            places,
            Categories(),
            subdistrict,
            own,
            actor.grid if actor.scope == Scope.GRID else None,  # type: ignore[union-attr]
        )

    def check(self, ctx: Context, state: PersonState, values: dict[str, Any], row: int) -> dict[str, Any]:
        problems: list[tuple[str, str]] = []
        document = documents.checked(values.get("document_type") or DocumentType.ID_CARD, values["id_number"])
        if isinstance(document, str):
            problems.append(("id_number", document))
        found = state.categories.find(values["category"])
        category = found.pk if found is not None else None
        if found is None:
            problems.append(("category", state.categories.unknown(values["category"])))
        pushed: datetime.datetime = values["pushed_at"]
        exposure: datetime.datetime | None = values.get("exposure")
        if pushed > timezone.now() + CLOCK_SKEW:
            problems.append(("pushed_at", _("推送时间晚于现在，请核对是否填错了列。")))
        elif exposure is not None and exposure.date() > timezone.localtime(pushed).date():
            problems.append(("exposure", _("末次暴露（抵达）时间晚于推送时间，请核对是否填错了列。")))
        elif exposure is not None and exposure < pushed - OLDEST_EXPOSURE:
            problems.append(("exposure", _("末次暴露（抵达）时间早于推送时间60天以上，请核对是否填错了列。")))
        community, grid, subdistrict = self._place(state, values, problems)
        if problems:
            raise RowError(problems)
        assert not isinstance(document, str) and category is not None and subdistrict is not None
        return {
            "row": row,
            "name": values["name"],
            "number": document.number,
            "phone": values.get("phone") or "",
            "category": category,
            "pushed_at": pushed,
            "address": values.get("address") or "",
            "origin": values.get("origin") or "",
            "exposure_date": timezone.localtime(exposure).date() if exposure else None,
            "batch": values.get("batch") or "",
            "subdistrict": subdistrict,
            "community": community,
            "grid": grid,
        }

    def _place(
        self, state: PersonState, values: dict[str, Any], problems: list[tuple[str, str]]
    ) -> tuple[int | None, int | None, int | None]:
        """(community, grid, subdistrict) pks of the row: as named, else the importer's own;
        None for a community the address will find, or the triage list."""
        community, grid = state.own_community, state.own_grid
        if grid is not None and (community is None or grid.community_id != community.pk):
            grid = None
        if values.get("community"):
            found, why = state.places.community(values["community"])
            if found is None:
                problems.append(("community", why))
                return None, None, None
            if found != community:
                community, grid = found, None
        if community is not None and values.get("grid"):
            found_grid, why = state.places.grid(community, values["grid"])
            if found_grid is None:
                problems.append(("grid", why))
            grid = found_grid
        if community is not None:
            return community.pk, grid.pk if grid else None, community.subdistrict_id
        if state.subdistrict is None:
            problems.append(("community", _("请填写社区：导入时无法确定该人员所在的街道。")))
            return None, None, None
        return None, None, state.subdistrict.pk

    def write(self, ctx: Context, state: PersonState, rows: Checked) -> None:
        categories = Category.objects.in_bulk()
        communities = Community.objects.in_bulk()
        grids = Grid.objects.in_bulk()
        subdistricts = Subdistrict.objects.in_bulk()
        done = 0
        for chunk in rows:
            numbers = [values["number"] for _n, values in chunk]
            pushed = set(
                Push.objects.filter(case__document_number__in=numbers).values_list(
                    "case__subdistrict_id", "case__document_number", "batch", "pushed_at"
                )
            )
            open_cases = set(
                Case.objects.filter(document_number__in=numbers, state__in=OPEN_STATES).values_list(
                    "subdistrict_id", "document_number"
                )
            )
            created = updated = unchanged = 0
            for _n, values in chunk:
                key = (values["subdistrict"], values["number"])
                if (*key, values["batch"], values["pushed_at"]) in pushed:
                    unchanged += 1
                    continue
                if rows.dry_run:
                    created, updated = (created, updated + 1) if key in open_cases else (created + 1, updated)
                    open_cases.add(key)
                    continue
                community = communities.get(values["community"]) if values["community"] else None
                arrival = Arrival(
                    name=values["name"],
                    category=categories[values["category"]],
                    pushed_at=values["pushed_at"],
                    document_number=values["number"],
                    phone=values["phone"],
                    address=values["address"],
                    origin=values["origin"],
                    exposure_date=values["exposure_date"],
                    batch=values["batch"],
                    source=Source.PUSHED,
                    community=community,
                    grid=grids.get(values["grid"]) if values["grid"] else None,
                )
                _case, new = receive(arrival, subdistricts[values["subdistrict"]], ctx.actor)
                created, updated = (created + 1, updated) if new else (created, updated + 1)
            rows.counted(created=created, updated=updated, unchanged=unchanged)
            done += len(chunk)
            rows.progress(done / rows.count)

    # Export: the case list (its filters) or the hand-over list, in the import's columns.

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        cases = Case.objects.visible_to(actor)
        if community is not None:
            cases = cases.filter(community=community)
        if request is not None:
            cases = filtered(cases, request.GET)
        return (
            cases.select_related("category", "community", "grid")
            .order_by("pushed_at", "id")
            .iterator(chunk_size=2000)
        )

    def export_columns(self, unmasked: bool) -> list[Column]:
        def number(case: Case) -> str:
            return case.document_number if unmasked else mask_document(case.document_number)

        def phone(case: Case) -> str:
            return case.phone if unmasked else phones.mask(case.phone)

        def local(moment: datetime.datetime | None) -> Any:
            return timezone.localtime(moment).replace(tzinfo=None) if moment else None

        return [
            Column(_("姓名"), lambda c: c.name, width=10),
            Column(_("证件号码"), number, as_text=True, width=22),
            Column(_("手机号"), phone, as_text=True, width=14),
            Column(_("人员类别"), lambda c: c.category.name, width=16),
            Column(_("推送时间"), lambda c: local(c.pushed_at), width=18),
            Column(_("现住址"), lambda c: c.address, width=30),
            Column(_("来源/风险地区"), lambda c: c.origin, width=16),
            Column(_("末次暴露时间"), lambda c: c.exposure_date, width=14),
            Column(_("推送批次"), lambda c: c.batch, as_text=True, width=14),
            Column(_("社区"), lambda c: c.community.name if c.community else "", width=12),
            Column(_("网格"), lambda c: c.grid.name if c.grid else "", width=10),
            Column(_("状态"), lambda c: c.get_state_display(), width=10),
            Column(_("来源"), lambda c: c.get_source_display(), width=10),
            Column(_("核实时限"), lambda c: local(c.verify_deadline), width=18),
            Column(_("未接通次数"), lambda c: c.failed_calls, width=8),
            Column(_("转往"), lambda c: c.transfer_to, width=20),
            Column(_("转出日期"), lambda c: c.transfer_date, width=12),
            Column(_("说明"), lambda c: c.end_note, width=20),
        ]


def filtered(cases: Any, query: Any) -> Any:
    """The case list's filters from a query string: state, community, grid, category, q."""
    wanted = {name: query.get(name, "") for name in FILTERS}
    if wanted["state"]:
        cases = cases.filter(state=wanted["state"])
    for name in ("community", "grid", "category"):
        if wanted[name].isdigit():
            cases = cases.filter(**{f"{name}_id": int(wanted[name])})
    text = (query.get("q") or "").strip()
    if text:
        number = normalise_document(text)
        cases = cases.filter(Q(name__contains=text) | Q(document_number=number) | Q(phone=text))
    return cases
