"""The health center's export of doses as a spreadsheet kind: `fangyi import doses FILE`.

One row is one dose, matched to the register by document type and number (证件类型,
证件号码; an ID card where the file names no type) and to a stored dose by person and
day, so importing the same export twice changes nothing. The health center's record is the truth: a dose the rules would refuse (too early, another
product) is recorded all the same, with a warning. Rows for people who are not in the
register are rejected and also listed in `not_in_register`, one line per person, so
that the community can register them and import the file again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.actors import SystemActor, account, sees_everything
from fangyi.org.models import Site, Staff
from fangyi.org.roles import Perm
from fangyi.residents import documents, names
from fangyi.residents.documents import DocumentType
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.sheets.headers import Header, header_key
from fangyi.sheets.kinds import (
    FOREIGN,
    Checked,
    Column,
    Context,
    Kind,
    ListSheet,
    Refused,
    RowError,
)
from fangyi.vaccination.domain import status as status_domain
from fangyi.vaccination.domain.doses import DoseInput, DosePlan, new_dose, plan_dose
from fangyi.vaccination.models import Dose, Screening, VaccineProduct
from fangyi.vaccination.sheets.fields import FIELDS, HOME_VISIT
from fangyi.vaccination.sheets.products import Products
from fangyi.vaccination.timeline import TimelineKind

NOT_IN_REGISTER = "not_in_register"


@dataclass
class DoseState:
    """What one file of doses is checked against, and the people it names who are not in
    the register (one entry each, listed in Context.lists[NOT_IN_REGISTER])."""

    products: Products
    sites: dict[str, Site]
    not_in_register: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass
class Matched:
    """The register's side of a chunk of rows: its residents by (document type, number)
    and each one's doses, in the order given."""

    residents: dict[tuple[str, str], Resident]
    history: dict[int, list[Dose]]


class Doses(Kind[DoseState]):
    name = "doses"
    label = gettext_lazy("接种记录")
    key = "id_number"
    fields = FIELDS
    view_perm = Perm.VIEW_VACCINATION
    edit_perm = Perm.RECORD_DOSE
    foreign_message = gettext_lazy("该证件号码由其他社区或网格登记，您无权导入其接种记录。")
    duplicate_message = gettext_lazy("与第%(first)d行重复：同一人同一天只能有一条接种记录。")
    lists = {
        NOT_IN_REGISTER: ListSheet(
            gettext_lazy("不在居民名册中的人员"),
            (
                ("name", gettext_lazy("姓名")),
                ("document_type", gettext_lazy("证件类型")),
                ("id_number", gettext_lazy("证件号码")),
                ("community", gettext_lazy("所属社区")),
                ("dates", gettext_lazy("接种日期")),
                ("rows", gettext_lazy("原表行号")),
            ),
        )
    }

    def row_key(self, values: dict[str, Any]) -> Any:
        """(document type, number, day); None for a number check() will refuse."""
        raw, day = values.get("id_number"), values.get("given_on")
        if raw is None or day is None:
            return None
        document_type = values.get("document_type") or DocumentType.ID_CARD
        document = documents.checked(document_type, raw)
        if isinstance(document, str):
            return None
        return document_type, document.number, day.date() if isinstance(day, datetime.datetime) else day

    def start(self, ctx: Context, header: Header) -> DoseState:
        ctx.lists[NOT_IN_REGISTER] = []
        sites = Site.objects.visible_to(ctx.actor)
        return DoseState(Products(), {header_key(s.name): s for s in sites})

    def check(self, ctx: Context, state: DoseState, values: dict[str, Any], row: int) -> dict[str, Any]:
        product, problems = state.products.find(values.get("vaccine"), values.get("maker"))
        document_type = values["document_type"] = values.get("document_type") or DocumentType.ID_CARD
        document = documents.checked(document_type, values["id_number"])
        if isinstance(document, str):
            raise RowError([("id_number", document), *problems])
        values["id_number"] = document.number
        given = values["given_on"]
        day = given.date() if isinstance(given, datetime.datetime) else given
        if day > timezone.localdate():
            problems.append(("given_on", _("接种日期晚于今天。")))
        elif document.birth_date and day < document.birth_date:
            problems.append(("given_on", _("接种日期早于出生日期。")))
        if problems:
            raise RowError(problems)
        values["given_on"] = day
        values["given_at"] = timezone.make_aware(given) if isinstance(given, datetime.datetime) else None
        values["product"] = product
        values["row"] = row
        site = values.get("site")
        if site is not None:
            values["home_visit"] = bool(HOME_VISIT.search(site))
            values["site_name"] = HOME_VISIT.sub("", site).strip() or site
            values["site_obj"] = state.sites.get(header_key(values["site_name"]))
        return values

    def write(self, ctx: Context, state: DoseState, rows: Checked) -> None:
        """Chunk by chunk (the register's side read for each): match the rows, then
        record the new doses and correct the changed ones."""
        done = 0
        for chunk in rows:
            keys = [self.row_key(values) for _n, values in chunk]
            pending = {key: values for key, (_n, values) in zip(keys, chunk, strict=True)}
            found, matched = self._existing(ctx, state, keys, pending)
            fresh, changed = rows.match(chunk, keys, found, self.changes, _shown_number)
            rows.counted(created=len(fresh), updated=len(changed))
            if not rows.dry_run:
                self._write(ctx, matched, [chunk[i][1] for i in fresh], changed)
            done += len(chunk)
            rows.progress(done / rows.count)

    def _existing(
        self, ctx: Context, state: DoseState, keys: list[Any], pending: dict[Any, dict[str, Any]]
    ) -> tuple[dict[Any, Any], Matched]:
        """The stored dose of each (document type, number, day); Refused for somebody not
        in the register or a 剂次 the person already has on another day."""
        people = {(document_type, number) for document_type, number, _day in keys}
        numbers = {number for _type, number in people}
        visible = Resident.objects.visible_to(ctx.actor)
        residents = {
            (r.document_type, r.id_number): r
            for r in visible.filter(id_number__in=numbers)
            if (r.document_type, r.id_number) in people
        }
        foreign: set[tuple[str, str]] = set()
        # Nothing is hidden from the system or a superuser: no need to look for it.
        if len(residents) < len(people) and not sees_everything(ctx.actor):
            rest = people - residents.keys()
            others = Resident.objects.filter(id_number__in={number for _type, number in rest})
            foreign = set(others.values_list("document_type", "id_number")) & rest
        history: dict[int, list[Dose]] = defaultdict(list)
        for dose in Dose.objects.filter(resident__in=list(residents.values())).select_related("product"):
            history[dose.resident_id].append(dose)
        found: dict[Any, Any] = {}
        taken = {pk: {d.dose_number: d.given_on for d in doses} for pk, doses in history.items()}
        for key in sorted(keys):
            document_type, number, day = key
            values = pending[key]
            resident = residents.get((document_type, number))
            if (document_type, number) in foreign:
                found[key] = FOREIGN
            elif resident is None:
                found[key] = Refused(_("不在居民名册中：请先登记该居民，再导入这一行。"))
                self._not_in_register(ctx, state, values)
            else:
                self._compare_name(ctx, resident, values)
                stored = next((d for d in history[resident.pk] if d.given_on == day), None)
                if stored is not None:
                    found[key] = stored
                    self._compare_dose(ctx, stored, values)
                    continue
                dose_number = values.get("dose_number")
                other_day = taken.setdefault(resident.pk, {}).get(dose_number) if dose_number else None
                if other_day is not None:
                    found[key] = Refused(
                        _("该居民%(day)s已有第%(n)d剂的记录，与本行日期不同；请核对剂次和日期。")
                        % {"day": other_day, "n": dose_number}
                    )
                elif dose_number:
                    taken[resident.pk][dose_number] = day
        return found, Matched(residents, history)

    def _not_in_register(self, ctx: Context, state: DoseState, values: dict[str, Any]) -> None:
        people = state.not_in_register
        key = (values["document_type"], values["id_number"])
        person = people.get(key)
        if person is None:
            person = people[key] = {
                "name": values.get("name") or "",
                "document_type": str(DocumentType(values["document_type"]).label),
                "id_number": values["id_number"],
                "community": "",
                "dates": [],
                "rows": [],
            }
            ctx.lists[NOT_IN_REGISTER].append(person)
        person["dates"].append(values["given_on"].isoformat())
        person["rows"].append(values["row"])

    def _compare_name(self, ctx: Context, resident: Resident, values: dict[str, Any]) -> None:
        name = values.get("name")
        if name and names.canonical(name) != resident.name:
            ctx.warn(
                values["row"],
                str(self.by_name["name"].label),
                name,
                _("姓名与居民名册中的“%(n)s”不一致，按证件号码导入，请核对。") % {"n": resident.name},
            )

    def _compare_dose(self, ctx: Context, stored: Dose, values: dict[str, Any]) -> None:
        number = values.get("dose_number")
        if stored.product_id != values["product"].pk or (number and number != stored.dose_number):
            ctx.warn(
                values["row"],
                str(self.by_name["dose_number"].label),
                str(number or ""),
                _("这一天已有第%(n)d剂%(p)s的记录，与本行不同，未修改；请核对。")
                % {"n": stored.dose_number, "p": stored.product.name},
            )

    def changes(self, current: Dose, values: dict[str, Any]) -> dict[str, Any]:
        """A corrected batch number or site; the product and number of a stored dose stay."""
        changed: dict[str, Any] = {}
        if values.get("batch") and values["batch"] != current.batch:
            changed["batch"] = values["batch"]
        if values.get("site_name") is not None:
            wanted = {"site_name": values["site_name"], "home_visit": values["home_visit"]}
            changed.update({k: val for k, val in wanted.items() if getattr(current, k) != val})
            site = values.get("site_obj")
            if site is not None and current.site_id != site.pk:
                changed["site"] = site
        return changed

    def _write(
        self, ctx: Context, matched: Matched, new: list[dict[str, Any]], changed: list[tuple[Any, dict]]
    ) -> None:
        """Create the new doses (numbered and classed as record_dose would, but recorded
        even where the rules object), correct the changed ones, refresh each person's state."""
        residents, history = matched.residents, matched.history
        doses: list[Dose] = []
        for values in sorted(new, key=lambda val: (val["document_type"], val["id_number"], val["given_on"])):
            resident = residents[values["document_type"], values["id_number"]]
            earlier = history[resident.pk]
            data = DoseInput(
                product=values["product"],
                given_on=values["given_on"],
                given_at=values.get("given_at"),
                site=values.get("site_obj"),
                site_name=values.get("site_name") or "",
                home_visit=values.get("home_visit", False),
                batch=values.get("batch") or "",
                screening=Screening.NOT_RECORDED,
            )
            dose = new_dose(resident, data, self._plan(ctx, resident, earlier, values), account(ctx.actor))
            earlier.append(dose)
            doses.append(dose)
        Dose.objects.bulk_create(doses, batch_size=500)
        TimelineEntry.objects.bulk_create(
            [self._timeline(ctx, dose) for dose in doses],
            batch_size=500,
        )
        # Corrections: the doses locked and read again, only what still differs written.
        locked = (
            Dose.objects.select_for_update()
            .select_related("resident")
            .in_bulk([dose.pk for dose, _attrs in changed])
        )
        touched = {dose.resident_id: dose.resident for dose in doses}
        for dose, attrs in changed:
            current = locked.get(dose.pk)
            if current is None:  # deleted since the file was matched
                continue
            differ = {a: value for a, value in attrs.items() if getattr(current, a) != value}
            for attr, value in differ.items():
                setattr(current, attr, value)
            if differ:
                current.save(update_fields=list(differ))
        # A correction changes only a batch number or a site (changes()), never a state.
        for resident in touched.values():
            status_domain.refresh(resident)

    def _plan(
        self, ctx: Context, resident: Resident, earlier: list[Dose], values: dict[str, Any]
    ) -> DosePlan:
        """The dose's plan (`plan_dose`, as for every dose) with the file's 剂次.

        Where the health center numbers a dose after doses we have not seen, its number
        is trusted and the kind read off the product's schedule (剂次 3 is a booster of
        an inactivated vaccine, the last primary dose of ZF2001). Where our history is
        complete, the rules class it (a ZF2001 dose after two inactivated ones is a
        heterologous booster); if they would refuse it, it is recorded anyway.
        """
        product: VaccineProduct = values["product"]
        used = {d.dose_number for d in earlier}
        number = values.get("dose_number") or max(used, default=0) + 1
        if number in used:
            # Taken by a row of this file without a 剂次, numbered after the history.
            ctx.warn(
                values["row"],
                str(self.by_name["dose_number"].label),
                str(number),
                _("该居民已有第%(n)d剂，本行记为第%(m)d剂，请核对。") % {"n": number, "m": max(used) + 1},
            )
            number = max(used) + 1
        planned = plan_dose(earlier, product, values["given_on"], resident.birth_date, number)
        if planned.refused:
            ctx.warn(
                values["row"],
                str(self.by_name["given_on"].label),
                values["given_on"].isoformat(),
                _("%(why)s 卫生院已接种，照常导入，请核对。") % {"why": planned.refused},
            )
        return planned

    def _timeline(self, ctx: Context, dose: Dose) -> TimelineEntry:
        return TimelineEntry(
            resident_id=dose.resident_id,
            actor=account(ctx.actor),
            kind=TimelineKind.DOSE,
            summary=_("接种第%(n)d剂（%(kind)s）%(product)s%(where)s，由表格“%(f)s”导入")
            % {
                "n": dose.dose_number,
                "kind": dose.get_kind_display(),
                "product": dose.product.name,
                "where": _("，上门接种") if dose.home_visit else "",
                "f": ctx.source,
            },
            details={"dose_id": dose.pk, "batch": dose.batch, "source": ctx.source},
        )

    # Export: the same columns, so that an export can be imported again.

    def export(
        self, actor: Staff | SystemActor, *, request: Any = None, community: Any = None
    ) -> Iterator[Any]:
        """Every dose `actor` may see (the dose list has no page of its own to filter)."""
        doses = Dose.objects.visible_to(actor)
        if community is not None:
            doses = doses.filter(resident__community=community)
        return (
            doses.order_by("given_on", "resident_id")
            .select_related("resident", "product")
            .iterator(chunk_size=2000)
        )

    def export_columns(self, unmasked: bool) -> list[Column]:
        def number(d: Dose) -> str:
            return d.resident.id_number if unmasked else d.resident.masked_number

        return [
            Column(_("受种者姓名"), lambda d: d.resident.name, width=10),
            Column(_("证件类型"), lambda d: d.resident.get_document_type_display(), width=14),
            Column(_("证件号码"), number, as_text=True, width=22),
            Column(_("接种日期"), lambda d: d.given_on, width=12),
            Column(_("剂次"), lambda d: d.dose_number, width=6),
            Column(_("类型"), lambda d: d.get_kind_display(), width=10),
            Column(_("疫苗名称"), lambda d: d.product.generic_name, width=28),
            Column(_("生产企业"), lambda d: d.product.maker, width=14),
            Column(_("疫苗批号"), lambda d: d.batch, as_text=True, width=14),
            Column(
                _("接种单位"),
                lambda d: d.site_name + (_("（上门）") if d.home_visit else ""),
                width=26,
            ),
        ]


def _shown_number(values: dict[str, Any]) -> str:
    return str(values["id_number"])
