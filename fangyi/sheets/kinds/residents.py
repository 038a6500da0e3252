"""The resident register as a spreadsheet: one row per resident, matched by ID number.

A staged kind: the whole file is checked first, then matched and written in one short
transaction. Rows are matched against the stored values alone (values_list, no model
instances); new residents are written with bulk.insert, with everything
domain.fill_derived would set and the fields' defaults, each with its timeline entry;
changed ones go through domain.import_changes (locked, read again, version raised).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.models import Subdistrict
from fangyi.org.roles import Perm
from fangyi.residents import documents, domain, names, phone, searchkeys
from fangyi.residents.documents import DocumentType
from fangyi.residents.models import Mobility, Resident, Sex, Status, TimelineEntry, TimelineKind
from fangyi.sheets import bulk
from fangyi.sheets import values as v
from fangyi.sheets.headers import Header
from fangyi.sheets.kinds import FOREIGN, Column, Context, Field, Kind, RowError, message_of, register
from fangyi.sheets.kinds.places import Places

_NUMERALS = dict(
    zip("一二三四五六七八九十", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], strict=True)
)


def _phone(raw: Any) -> str | None:
    if raw.__class__ is str:  # the usual cell: the type tests below cannot apply
        return (phone.local(raw) or phone.normalise(raw) or None) if raw.strip() else None
    if v.is_blank(raw):
        return None
    if isinstance(raw, datetime.date | datetime.time | datetime.timedelta | bool):
        raise ValidationError(_("电话号码被表格当成了日期或其他格式；请把该列设为“文本”格式。"))
    return phone.local(raw) or phone.normalise(raw) or None


def _words(choices: type[Choices], extra: dict[str, str]) -> dict[str, str]:
    words = {str(label): value for value, label in choices.choices}
    words.update({value: value for value in choices.values})
    words.update(extra)
    return words


def _labels(choices: type[Choices]) -> str:
    return "、".join(str(label) for label in choices.labels)


YES_NO = (gettext_lazy("是"), gettext_lazy("否"))
_DATED_STATUSES = frozenset((Status.MOVED_OUT.value, Status.DECEASED.value))
FIELDS = (
    Field("serial", gettext_lazy("序号"), ("编号", "no", "序", "顺序号")),
    Field(
        "name",
        gettext_lazy("姓名"),
        ("居民姓名", "人员姓名", "名字", "老人姓名", "户主姓名及成员"),
        v.name,
        required=True,
        example="范芝奇",
        width=10,
    ),
    Field(
        "document_type",
        gettext_lazy("证件类型"),
        ("证件种类", "证件类别", "证件名称", "身份证件类型", "身份证件种类", "证件类型名称"),
        v.choice(documents.TYPE_WORDS, _labels(DocumentType)),
        example=DocumentType.ID_CARD.label,
        width=14,
        options=tuple(DocumentType.labels),
    ),
    Field(
        "id_number",
        gettext_lazy("证件号码"),
        (
            # Without a 证件类型 column these are ID numbers.
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "身份证",
            "证件号",
            "身份证件号码",
            "身份号码",
            "居民身份证号码",
        ),
        documents.number_cell,
        required=True,
        example="120113193205061234",
        as_text=True,
        width=22,
    ),
    Field(
        "sex",
        gettext_lazy("性别"),
        (),
        v.choice(_words(Sex, {"男性": "M", "女性": "F", "male": "M", "female": "F"}), _labels(Sex)),
        optional=True,
        example="男",
        width=6,
        options=tuple(Sex.labels),
    ),
    Field("age", gettext_lazy("年龄"), ("周岁", "年龄岁"), note=gettext_lazy("由身份证号推算")),
    Field(
        "birth_date",
        gettext_lazy("出生日期"),
        ("出生年月", "出生年月日", "生日"),
        documents.birth_cell,  # read from the number where it carries it
        width=12,
    ),
    Field(
        "phone",
        gettext_lazy("联系电话"),
        ("手机号", "手机号码", "电话", "电话号码", "联系方式", "本人电话", "手机", "联系手机"),
        _phone,
        optional=True,
        example="13812345678",
        as_text=True,
        width=16,
    ),
    Field(
        "community",
        gettext_lazy("所属社区"),
        ("社区", "社区名称", "居委会", "所属居委会", "社区居委会"),
        v.text,
        example="宸宜家园",
        width=12,
    ),
    Field(
        "grid",
        gettext_lazy("网格"),
        ("所属网格", "网格名称", "网格号"),
        v.text,
        optional=True,
        example="第一网格",
        width=10,
    ),
    Field(
        "building",
        gettext_lazy("楼栋"),
        ("楼号", "楼栋号", "栋", "楼", "几号楼", "栋号", "楼门"),
        v.bounded_text(20, strip_suffixes=("号楼", "栋", "幢", "号", "楼")),
        optional=True,
        example="29",
        width=8,
    ),
    Field(
        "building_unit",
        gettext_lazy("单元"),
        ("单元号", "门"),
        v.bounded_text(20, strip_suffixes=("单元", "门")),
        optional=True,
        example="2",
        width=6,
    ),
    Field(
        "room",
        gettext_lazy("房号"),
        ("门牌号", "室", "房间号", "户号", "门牌", "房间", "室号"),
        v.bounded_text(20, strip_suffixes=("室", "号")),
        optional=True,
        example="1046",
        width=8,
    ),
    Field(
        "relation_to_head",
        gettext_lazy("与户主关系"),
        ("户主关系", "关系"),
        v.bounded_text(20),
        optional=True,
        width=10,
    ),
    Field(
        "mobility",
        gettext_lazy("行动能力"),
        ("行动情况", "行动状况", "行动能力情况", "活动能力"),
        v.choice(
            _words(
                Mobility,
                {
                    "正常": "walks",
                    "自如": "walks",
                    "能自理": "walks",
                    "行动不便": "needs_help",
                    "腿脚不便": "needs_help",
                    "需搀扶": "needs_help",
                    "卧床不起": "bedridden",
                    "失能": "bedridden",
                },
            ),
            _labels(Mobility),
        ),
        optional=True,
        example=Mobility.WALKS.label,
        width=10,
        options=tuple(Mobility.labels),
    ),
    Field(
        "lives_alone",
        gettext_lazy("独居"),
        ("是否独居", "独居老人"),
        v.boolean,
        optional=True,
        example="否",
        width=6,
        options=YES_NO,
    ),
    Field(
        "party_member",
        gettext_lazy("党员"),
        ("是否党员", "政治面貌"),
        v.boolean,
        optional=True,
        example="否",
        width=6,
        options=YES_NO,
    ),
    Field(
        "party_joined_year",
        gettext_lazy("入党年份"),
        ("入党时间", "入党年月"),
        v.year,
        optional=True,
        width=8,
    ),
    Field(
        "status",
        gettext_lazy("状态"),
        ("居住状态", "人员状态", "在住状态"),
        v.choice(
            _words(
                Status,
                {
                    "在家": "living_here",
                    "居住": "living_here",
                    "外地": "away",
                    "迁出": "moved_out",
                    "死亡": "deceased",
                    "去世": "deceased",
                },
            ),
            _labels(Status),
        ),
        optional=True,
        example=Status.LIVING_HERE.label,
        width=8,
        options=tuple(Status.labels),
    ),
    Field(
        "status_since",
        gettext_lazy("状态日期"),
        ("变动日期", "迁出日期", "去世日期", "迁入日期", "入住日期"),
        v.date,
        optional=True,
        width=12,
    ),
    Field("notes", gettext_lazy("备注"), ("说明", "情况说明"), v.bounded_text(2000), optional=True, width=20),
)


# What a checked row holds besides its community and grid, in the order pack() keeps it.
_PLAIN = tuple(f.name for f in FIELDS if f.parse is not None and f.name not in ("community", "grid"))


class Stored(NamedTuple):
    """A stored resident as rows are compared with it (no model instance)."""

    pk: int
    name: str
    document_type: str
    id_number: str
    sex: str
    birth_date: datetime.date
    phone: str
    building: str
    building_unit: str
    room: str
    relation_to_head: str
    mobility: str
    lives_alone: bool
    party_member: bool
    party_joined_year: int | None
    status: str
    status_since: datetime.date | None
    notes: str
    community_id: int
    grid_id: int | None


assert Stored._fields == ("pk", *_PLAIN, "community_id", "grid_id")
_STORED = ("id", *_PLAIN, "community_id", "grid_id")
_KEY = _PLAIN.index("id_number")
_TYPE = _PLAIN.index("document_type")
# The row's key, kept in its values by check() (not a field: pack() and changes() skip it).
_CHECKED_KEY = "_checked_key"
# The columns bulk.insert() writes for a new resident.
_COLUMNS = (
    "name",
    "name_pinyin",
    "name_initials",
    "document_type",
    "id_number",
    "birth_date",
    "sex",
    "phone",
    "community_id",
    "grid_id",
    "building",
    "building_unit",
    "room",
    "household_id",
    "relation_to_head",
    "mobility",
    "lives_alone",
    "party_member",
    "party_joined_year",
    "status",
    "status_since",
    "notes",
    "created_at",
    "updated_at",
)
_ID = {"community": "community_id", "grid": "grid_id"}
# Timeline entries made by one INSERT … SELECT.
_TIMELINE_BATCH = 10000


def _defaults() -> dict[str, Any]:
    """What a new Resident holds where the file says nothing."""
    fields = {f.attname: f for f in Resident._meta.concrete_fields}
    return {c: fields[c].get_default() for c in _COLUMNS}


class Residents(Kind):
    name = "residents"
    label = gettext_lazy("居民")
    key = "id_number"
    fields = FIELDS
    staged = True
    view_perm = Perm.VIEW_RESIDENTS
    edit_perm = Perm.EDIT_RESIDENTS
    foreign_message = gettext_lazy("该证件号码已由其他社区或网格登记，您无权修改；请联系街道工作人员核实。")

    def row_key(self, values: dict[str, Any]) -> Any:
        """(document type, number as stored); None for a number check() will refuse."""
        known = values.get(_CHECKED_KEY)
        if known is not None:
            # Asked again for the checked rows (to match them with the register): the
            # number was checked, and a second check of 100,000 numbers costs seconds.
            return known
        raw = values.get("id_number")
        if raw is None:
            return None
        document_type = values.get("document_type") or DocumentType.ID_CARD
        document = documents.checked(document_type, raw)
        return (document_type, document.number) if isinstance(document, documents.Document) else None

    def prepare(self, ctx: Context, header: Header) -> None:
        places = ctx.state["places"] = Places(ctx.actor)
        places.choose_default(ctx, header, str(self.by_name["community"].label))
        ctx.state["area_codes"] = dict(Subdistrict.objects.values_list("pk", "area_code"))

    def check(self, values: dict[str, Any], ctx: Context, row: int) -> dict[str, Any]:
        places: Places = ctx.state["places"]
        problems = documents.check_row(values, self._warner(ctx, row))
        community, grid, why = places.default, None, ""
        if values.get("community"):
            community, why = places.community(values["community"])
        elif community is None:
            why = _("请填写所属社区。")
        if why:
            problems.append(("community", why))
        named, out_of_reach = values.get("grid"), False
        if named and community is not None:
            grid, why = places.grid(community, named)
            # A grid the user may not import into refuses the row; a grid that does not
            # exist is left out (the resident is placed in the community, or the user's grid).
            out_of_reach = bool(why) and places.knows_grid(community, named)
            if out_of_reach:
                problems.append(("grid", why))
            elif why:
                ctx.drop(values, "grid", why)
        if grid is None and places.default_grid is not None and not out_of_reach:
            grid = places.default_grid
            if community is not None and grid.community_id != community.pk:
                problems.append(("community", _("您只能导入本网格的居民。")))
        if values.get("phone").__class__ is phone.Local and community is not None:
            # A local landline (26391234) as parsed, completed with the area code of the
            # subdistrict of the row's community; not a number there: left out, a warning.
            try:
                values["phone"] = phone.normalise(
                    values["phone"], area_code=ctx.state["area_codes"][community.subdistrict_id]
                )
            except ValidationError as exc:
                ctx.drop(values, "phone", message_of(exc))
        if problems:
            raise RowError(problems)
        # The birth date is the number's, or the file's for a document without one.
        year, born = values.get("party_joined_year"), values.get("birth_date")
        problem = domain.party_year_problem(year, born if isinstance(born, datetime.date) else None)
        if problem:
            ctx.drop(values, "party_joined_year", problem)
            year = None
        if values.get("status") in _DATED_STATUSES and not values.get("status_since"):
            ctx.warn(
                row,
                str(self.by_name["status_since"].label),
                "",
                _("迁出或去世未填写日期：已按状态导入，请补填日期。"),
            )
        if year:
            values["party_member"] = True
        values["name"] = names.canonical(values["name"])
        values["community"], values["grid"] = community, grid
        values[_CHECKED_KEY] = (values["document_type"], values["id_number"])
        return values

    def _warner(self, ctx: Context, row: int) -> documents.Warn:
        def warn(field: str, value: str, message: str) -> None:
            ctx.warn(row, str(self.by_name[field].label), value, message)

        return warn

    def writing(self, ctx: Context, new: int) -> Any:
        return bulk.DeferredIndexes((Resident, TimelineEntry), new)

    def pack(self, values: dict[str, Any]) -> tuple:
        grid = values["grid"]
        return (*map(values.get, _PLAIN), values["community"].pk, None if grid is None else grid.pk)

    def unpack(self, packed: tuple, ctx: Context) -> dict[str, Any]:
        places: Places = ctx.state["places"]
        values = dict(zip(_PLAIN, packed, strict=False))
        grid = packed[-1]
        values["community"] = places.community_by_pk[packed[-2]]
        values["grid"] = None if grid is None else places.grid_by_pk[grid]
        return values

    def key_of(self, packed: tuple, ctx: Context) -> Any:
        return packed[_TYPE], packed[_KEY]

    def existing(self, keys: list[Any], ctx: Context) -> dict[Any, Any]:
        """Stored residents by (document type, number)."""
        mine = Resident.objects.visible_to(ctx.actor) if ctx.actor else Resident.objects.all()
        numbers = [number for _type, number in keys]
        rows = mine.filter(id_number__in=bulk.among(Resident, numbers)).order_by().values_list(*_STORED)
        found: dict[Any, Any] = {(row.document_type, row.id_number): row for row in map(Stored._make, rows)}
        rest = {k for k in keys if k not in found}
        if rest and ctx.actor:
            others = Resident.objects.filter(id_number__in=bulk.among(Resident, [n for _t, n in rest]))
            for key in others.values_list("document_type", "id_number"):
                if key in rest:
                    found[key] = FOREIGN
        return found

    def changes(self, current: Any, values: dict[str, Any]) -> dict[str, Any]:
        """`current`: a Stored row (or a Resident)."""
        changed: dict[str, Any] = {}
        fields = self.by_name
        for name, value in values.items():
            if value is None:
                continue
            if name == "community" or name == "grid":
                if getattr(current, _ID[name]) != value.pk:
                    changed[_ID[name]] = value.pk
            elif name in fields and getattr(current, name) != value:
                changed[name] = value
        grid = values.get("grid")
        if "community_id" in changed and grid is None and current.grid_id:
            changed["grid_id"] = None  # the old grid belongs to the old community
        return changed

    def write(self, ctx: Context, new: list[dict[str, Any]], changed: list[tuple[Any, dict]]) -> None:
        if new:
            self.write_all(ctx, map(self.pack, new))
        if changed:
            # Re-read under lock there: what was matched may have been edited since.
            domain.import_changes([(c.pk, attrs) for c, attrs in changed], ctx.actor, source=ctx.source)

    def write_all(self, ctx: Context, new: Iterator[tuple]) -> None:
        now = timezone.now()
        numbers: list[str] = []
        bulk.insert(Resident, _COLUMNS, _rows(new, now, numbers, ctx.state["places"]))
        # Each new resident's timeline entry, made by the database from the rows written.
        for start in range(0, len(numbers), _TIMELINE_BATCH):
            written = Resident.objects.filter(
                # created_at: not a resident of another document type with the same number.
                id_number__in=bulk.among(Resident, numbers[start : start + _TIMELINE_BATCH]),
                created_at=now,
            )
            bulk.insert_from(
                TimelineEntry,
                ("resident_id",),
                written.order_by("id").values_list("id"),
                {
                    "at": now,
                    "actor_id": ctx.actor.pk if ctx.actor else None,
                    "kind": TimelineKind.IMPORTED.value,
                    "summary": _("由表格“%(f)s”导入登记") % {"f": ctx.source},
                    "details": {},
                },
            )
            searchkeys.add(written)

    def export_columns(self, unmasked: bool) -> list[Column]:
        def masked(value: str, mask: Any) -> str:
            return value if unmasked else mask(value)

        # The birth date is digits 7–14 of the ID number: beside a masked number it would
        # give the mask back its hidden part. Masked exports carry the age alone.
        birth = [Column(_("出生日期"), lambda r: r.birth_date, width=12)] if unmasked else []
        return [
            Column(_("姓名"), lambda r: r.name, width=10),
            Column(_("证件类型"), lambda r: r.get_document_type_display(), width=14),
            Column(
                _("证件号码"),
                lambda r: r.id_number if unmasked else r.masked_number,
                as_text=True,
                width=22,
            ),
            Column(_("性别"), lambda r: r.get_sex_display(), width=6),
            *birth,
            Column(_("年龄"), lambda r: r.age, width=6),
            Column(_("联系电话"), lambda r: masked(r.phone, phone.mask), as_text=True, width=16),
            Column(_("所属社区"), lambda r: r.community.name, width=12),
            Column(_("网格"), lambda r: r.grid.name if r.grid_id else "", width=10),
            Column(_("楼栋"), lambda r: r.building, as_text=True, width=8),
            Column(_("单元"), lambda r: r.building_unit, as_text=True, width=6),
            Column(_("房号"), lambda r: r.room, as_text=True, width=8),
            Column(_("与户主关系"), lambda r: r.relation_to_head, width=10),
            Column(_("行动能力"), lambda r: r.get_mobility_display(), width=10),
            Column(_("独居"), lambda r: _("是") if r.lives_alone else _("否"), width=6),
            Column(_("党员"), lambda r: _("是") if r.party_member else _("否"), width=6),
            Column(_("入党年份"), lambda r: r.party_joined_year or "", width=8),
            Column(_("状态"), lambda r: r.get_status_display(), width=8),
            Column(_("状态日期"), lambda r: r.status_since or "", width=12),
            Column(_("备注"), lambda r: r.notes, width=20),
        ]

    def export_queryset(self, request: Any) -> Any:
        if request is None:
            return Resident.objects.all()
        from fangyi.residents.views import filtered_residents

        return filtered_residents(request)[1]

    def export_rows(self, queryset: Any) -> Any:
        return (
            queryset.select_related("community", "grid")
            .order_by("community__ordering", "id")
            .iterator(chunk_size=2000)
        )


def _rows(
    new: Iterator[tuple], now: datetime.datetime, numbers: list[str], places: Places
) -> Iterator[tuple]:
    """The rows for _COLUMNS of new residents packed by Residents.pack(), as
    Resident(**values), domain.fill_derived() and save() would have them: a value the file
    leaves blank (None) is the field's default. Their ID numbers go to `numbers`."""
    d = _defaults()
    for packed in new:
        # In the order of _PLAIN (as Stored checks it), then the community and grid.
        (
            name,
            document_type,
            number,
            sex,
            born,
            phone_,
            building,
            unit,
            room,
            relation,
            mobility,
            alone,
            member,
            joined,
            status,
            since,
            notes,
            community,
            grid,
        ) = packed
        numbers.append(number)
        yield (
            name,
            *domain.pinyin_keys(name),
            document_type,
            number,
            born,  # check() put the number's where it carries one
            sex,
            d["phone"] if phone_ is None else phone_,
            community if grid is None else places.grid_by_pk[grid].community_id,
            grid,
            d["building"] if building is None else building,
            d["building_unit"] if unit is None else unit,
            d["room"] if room is None else room,
            d["household_id"],
            d["relation_to_head"] if relation is None else relation,
            d["mobility"] if mobility is None else mobility,
            d["lives_alone"] if alone is None else alone,
            d["party_member"] if member is None else member,
            d["party_joined_year"] if joined is None else joined,
            d["status"] if status is None else status,
            d["status_since"] if since is None else since,
            d["notes"] if notes is None else notes,
            now,
            now,
        )


RESIDENTS = register(Residents())
