"""The health center's export of doses as a spreadsheet kind: `fangyi import doses FILE`.

One row is one dose, matched to the register by document type and number (证件类型,
证件号码; an ID card where the file names no type) and to a stored dose by person and day, so importing the same export twice changes nothing. The health
center's record is the truth: a dose the rules would refuse (too early, another
product) is recorded all the same, with a warning. Rows for people who are not in the
register are rejected and also listed in `not_in_register`, one line per person, so
that the community can register them and import the file again.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.models import Site
from fangyi.org.roles import Perm
from fangyi.residents import documents, names
from fangyi.residents.documents import DocumentType
from fangyi.residents.models import Resident, TimelineEntry
from fangyi.sheets import values as v
from fangyi.sheets.headers import Header, header_key
from fangyi.sheets.kinds import (
    FOREIGN,
    Checked,
    Column,
    Context,
    Field,
    Kind,
    ListSheet,
    Refused,
    RowError,
)
from fangyi.vaccination.domain import status as status_domain
from fangyi.vaccination.domain.doses import DoseInput, DosePlan, new_dose, plan_dose
from fangyi.vaccination.models import Dose, Screening, VaccineProduct
from fangyi.vaccination.timeline import TimelineKind

HOME_VISIT = re.compile(r"[(（\[【]?\s*上门(?:接种)?\s*[)）\]】]?")
NOT_IN_REGISTER = "not_in_register"


def _given(raw: Any) -> datetime.date | None:
    """The day of the dose; a datetime when the cell also holds the time of day."""
    if isinstance(raw, datetime.datetime) and raw.time() != datetime.time(0):
        return raw
    return v.date(raw)


def _dose_number(raw: Any) -> int | None:
    """1, 2, 3 as numbers or as 第3剂, 第三针, 3剂次."""
    if v.is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise ValidationError(_("剂次应为数字，如 1、2、3。"))
    if isinstance(raw, int | float):
        number = int(raw) if float(raw).is_integer() else 0
    else:
        text = re.sub(r"^第|剂次$|剂$|针$", "", v.text(raw) or "").strip()
        number = v.NUMERALS.get(text) or (int(text) if text.isdigit() else 0)
    if not 1 <= number <= 9:
        raise ValidationError(_("剂次“%(v)s”无法识别，应为数字，如 1、2、3。") % {"v": str(raw)[:20]})
    return number


FIELDS = (
    Field("serial", gettext_lazy("序号"), ("编号", "no")),
    Field(
        "name",
        gettext_lazy("受种者姓名"),
        ("姓名", "受种者", "受种人", "受种人姓名", "接种者姓名", "接种人姓名", "居民姓名"),
        v.name,
        optional=True,  # only compared with the register
        example="范芝奇",
        width=10,
    ),
    Field(
        "document_type",
        gettext_lazy("证件类型"),
        ("证件种类", "证件类别", "证件名称", "身份证件类型", "受种者证件类型"),
        v.choice(documents.TYPE_WORDS, "、".join(map(str, DocumentType.labels))),
        example=DocumentType.ID_CARD.label,
        width=14,
    ),
    Field(
        "id_number",
        gettext_lazy("证件号码"),
        (
            # Without a 证件类型 column these are ID numbers.
            "身份证号码",
            "身份证号",
            "公民身份号码",
            "身份证",
            "证件号",
            "受种者身份证号",
            "身份证件号码",
            "受种者证件号码",
        ),
        documents.number_cell,
        required=True,
        example="120113193201050011",
        as_text=True,
        width=22,
    ),
    Field(
        "given_on",
        gettext_lazy("接种日期"),
        ("接种时间", "接种日期时间", "日期"),
        _given,
        required=True,
        example="2022-01-24",
        width=12,
    ),
    Field(
        "dose_number",
        gettext_lazy("剂次"),
        ("针次", "接种剂次", "第几剂", "第几针", "剂次数"),
        _dose_number,
        optional=True,  # numbered after the person's history when left out
        example="1",
        width=6,
    ),
    Field(
        "vaccine",
        gettext_lazy("疫苗名称"),
        ("疫苗", "疫苗种类", "疫苗品名", "品名", "疫苗品种", "疫苗类型"),
        v.text,
        example="新冠病毒灭活疫苗(Vero细胞)",
        width=28,
    ),
    Field(
        "maker",
        gettext_lazy("生产企业"),
        ("生产厂家", "厂家", "企业", "生产单位", "疫苗厂家", "疫苗生产企业"),
        v.text,
        example="北京生物",
        width=14,
    ),
    Field(
        "batch",
        gettext_lazy("疫苗批号"),
        ("批号", "批次", "疫苗批次"),
        v.bounded_text(50),
        optional=True,
        example="202112A031",
    ),
    Field(
        "site",
        gettext_lazy("接种单位"),
        ("接种点", "接种地点", "接种机构", "接种门诊"),
        v.bounded_text(100),
        optional=True,
        example="普东街社区卫生服务中心",
        width=26,
    ),
)


class Products:
    """The vaccine products, recognised by maker (or an alias) and by vaccine name."""

    def __init__(self) -> None:
        self.products = list(VaccineProduct.objects.all())
        self.makers = [(header_key(n), p) for p in self.products for n in p.maker_names() if header_key(n)]
        # Longest first: "北京科兴中维" must win over "科兴".
        self.makers.sort(key=lambda pair: -len(pair[0]))

    def by_maker(self, text: str) -> list[VaccineProduct]:
        key = header_key(text)
        found = []
        for name, product in self.makers:
            if (name in key or key == name) and product not in found:
                found.append(product)
        return found

    def by_name(self, text: str) -> list[VaccineProduct]:
        """A brand (众爱可维) names one product; a generic name (新冠病毒灭活疫苗(Vero细胞))
        names every product of that kind."""
        key = header_key(text)
        brands = [p for p in self.products if header_key(p.name) and header_key(p.name) in key]
        if brands:
            return brands
        return [p for p in self.products if header_key(p.generic_name) == key]

    def find(self, vaccine: str | None, maker: str | None) -> tuple[VaccineProduct | None, list[tuple]]:
        """The product, or None and [(field, why)]."""
        by_maker = self.by_maker(maker) if maker else None
        by_name = self.by_name(vaccine) if vaccine else None
        if by_maker == []:
            why = _("生产企业“%(m)s”不在疫苗产品目录中；如是别名，请在疫苗产品的“企业别名”中添加。")
            return None, [("maker", why % {"m": maker})]
        if by_name == []:
            return None, [("vaccine", _("疫苗名称“%(v)s”不在疫苗产品目录中。") % {"v": vaccine})]
        if by_maker is None and by_name is None:
            return None, [("vaccine", _("请填写疫苗名称和生产企业。"))]
        found = [p for p in (by_maker or by_name or []) if by_name is None or p in by_name]
        if not found:
            why = _("疫苗名称“%(v)s”与生产企业“%(m)s”对不上，请核对。")
            return None, [("vaccine", why % {"v": vaccine, "m": maker})]
        if len(found) > 1:
            return None, [("maker", _("仅凭疫苗名称无法确定是哪家企业的疫苗，请填写生产企业。"))]
        return found[0], []


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
        return DoseState(Products(), {header_key(s.name): s for s in Site.objects.all()})

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
        visible = Resident.objects.visible_to(ctx.actor) if ctx.actor else Resident.objects.all()
        residents = {
            (r.document_type, r.id_number): r
            for r in visible.filter(id_number__in=numbers)
            if (r.document_type, r.id_number) in people
        }
        foreign: set[tuple[str, str]] = set()
        if ctx.actor and len(residents) < len(people):
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
            dose = new_dose(resident, data, self._plan(ctx, resident, earlier, values), ctx.actor)
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
            actor=ctx.actor,
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

    def export(self, request: Any, community: Any = None) -> Iterator[Any]:
        doses = Dose.objects.all() if request is None else Dose.objects.visible_to(request.user)
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
