"""The vaccination columns of a resident roster (是否接种, 接种剂次, 末次接种日期, 疫苗名称,
未接种原因 and the words people use for them), contributed to the residents' import kind
from VaccinationConfig.ready().

What the community wrote is what the resident or the family told it, not a record of
the health center, and it is recorded as such:
- vaccinated, with the day of the last dose and a vaccine the catalogue knows: that dose,
  marked as given elsewhere (外地接种) and entered from the roster, numbered as the roster
  says (剂次) and classed by the product's schedule; it counts as a dose in the figures;
- vaccinated, without the day or the vaccine: a reason record "vaccinated elsewhere"
  with what the roster says, so the person leaves the outreach queue and the daily
  report counts them among those not vaccinated here by reason 外地接种, as the upper
  levels do, until a dose is recorded;
- not vaccinated, with a reason: a reason record of that category, the text as its note.

A resident who already has doses in Fangyi keeps them: the roster adds none. Importing
the same roster again adds nothing (a dose on the same day, a reason in force).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.org.actors import account
from fangyi.residents.models import Resident, TimelineEntry, TimelineKind
from fangyi.residents.sheets import RosterColumns
from fangyi.sheets import values as v
from fangyi.sheets.headers import header_key
from fangyi.sheets.kinds import Context, Field
from fangyi.vaccination.domain import refresh as refresh_domain
from fangyi.vaccination.domain.doses import DoseInput, DuplicateDose, record_dose
from fangyi.vaccination.domain.rules import RuleViolation
from fangyi.vaccination.models import Reason, ReasonRecord, Screening, VaccineProduct
from fangyi.vaccination.sheets.fields import dose_number
from fangyi.vaccination.sheets.products import Products

# 已接种2针, 打了两针, 第二针, 3剂: words around a dose number (fields.dose_number reads it).
_AROUND = re.compile(r"^(?:已经|已|打了|接种|种了)*|(?:疫苗)$")
_YES = frozenset(
    ("是", "已接种", "已种", "已打", "接种", "已经接种", "已", "有", "y", "yes", "√", "✓", "打了", "已完成")
)
_NO = frozenset(
    ("否", "未接种", "未种", "未打", "没打", "没有", "无", "n", "no", "×", "✗", "不", "未", "没接种", "不是")
)
# Reason words, tried in this order (拒绝 before 外地: "在外地，拒绝" is a refusal).
_REASONS = (
    (Reason.CONTRAINDICATION, ("禁忌", "过敏", "癫痫", "怀孕", "妊娠")),
    (Reason.DECEASED, ("死亡", "去世", "已故", "过世")),
    (Reason.REFUSED, ("拒绝", "不愿", "不想", "不同意", "拒种", "拒打", "不打")),
    (Reason.UNREACHABLE, ("联系不上", "失联", "无法联系", "联系不到", "电话不通")),
    (Reason.BEDRIDDEN, ("卧床", "失能", "瘫痪")),
    (Reason.LIVING_ELSEWHERE, ("人户分离", "不在本地居住", "空挂户")),
    (Reason.ELSEWHERE, ("外地接种", "异地接种", "在外地已接种", "外省接种", "已在外地")),
    (Reason.AWAY, ("外出", "外地", "不在家", "出差", "探亲", "住院")),
    (Reason.DEFERRAL, ("暂缓", "发烧", "发热", "生病", "身体原因", "疾病", "慢性病", "术后", "医生建议")),
)


@dataclass(frozen=True)
class Answer:
    """A cell of 是否接种 or 接种剂次: vaccinated or not, and how many doses if it says."""

    vaccinated: bool
    doses: int | None = None


def answer(raw: Any) -> Answer | None:
    """是/否, 已接种/未接种, √/×, 1/2/3 (doses), 3针, 第二针, 已接种2针 …; None when blank."""
    if v.is_blank(raw):
        return None
    if isinstance(raw, bool):
        return Answer(raw)
    if isinstance(raw, int | float) and float(raw).is_integer() and 0 <= raw <= 9:
        return Answer(raw > 0, int(raw) or None)
    key = header_key(raw) if isinstance(raw, str) else ""
    if key in _YES or (isinstance(raw, str) and raw.strip() in _YES):
        return Answer(True)
    if key in _NO or (isinstance(raw, str) and raw.strip() in _NO):
        return Answer(False)
    number = _AROUND.sub("", key).replace("两", "二").removesuffix("次")
    try:
        count = dose_number(number) if number else None
    except ValidationError:
        count = None
    if count:
        return Answer(True, count)
    raise ValidationError(
        _("“%(v)s”无法识别：请填写“是”或“否”，或已接种的剂数，如 2、第二针。") % {"v": str(raw)[:20]}
    )


def reason(raw: Any) -> tuple[str, str] | None:
    """(the Reason its words name, the text as written); OTHER for words none names."""
    text = v.text(raw)
    if not text:
        return None
    key = header_key(text)
    for category, words in _REASONS:
        if any(word in key for word in words):
            return category, text[:200]
    return Reason.OTHER, text[:200]


FIELDS = (
    Field(
        "vaccinated",
        gettext_lazy("是否接种"),
        ("已接种", "是否已接种", "是否接种疫苗", "接种情况", "接种与否", "疫苗接种情况", "新冠疫苗接种情况"),
        answer,
        optional=True,
        example="否",
        width=8,
        options=(gettext_lazy("是"), gettext_lazy("否")),
    ),
    Field(
        "reported_doses",
        gettext_lazy("接种剂次"),
        (
            "剂次",
            "针次",
            "接种针次",
            "已接种剂次",
            "已接种针次",
            "接种针数",
            "已接种针数",
            "剂数",
            "已种剂次",
        ),
        answer,
        optional=True,
        width=8,
    ),
    Field(
        "last_dose_on",
        gettext_lazy("末次接种日期"),
        (
            "最近接种日期",
            "末次接种时间",
            "最后一次接种日期",
            "最近一次接种日期",
            "最近接种时间",
            "接种日期",
            "接种时间",
        ),
        v.date,
        optional=True,
        width=12,
    ),
    Field(
        "vaccine",
        gettext_lazy("疫苗名称"),
        ("疫苗种类", "疫苗厂家", "疫苗", "厂家", "生产企业", "生产厂家", "疫苗品种", "疫苗类型"),
        v.bounded_text(100),
        optional=True,
        width=20,
    ),
    Field(
        "not_vaccinated_reason",
        gettext_lazy("未接种原因"),
        # Not 原因 alone: it is the last column of Fangyi's own error workbook.
        ("未种原因", "不接种原因", "未接种理由", "未接种原因说明", "未种原因说明"),
        reason,
        optional=True,
        width=16,
    ),
)


@dataclass(frozen=True)
class Reported:
    """What one roster row says about the resident's vaccination."""

    vaccinated: bool | None
    doses: int | None
    last_on: datetime.date | None
    vaccine: str
    reason: str  # a Reason value, or ""
    note: str


def check(ctx: Context, values: dict[str, Any], row: int) -> Reported | None:
    """What the row says, or None when it says nothing to record (blank, or 否 alone)."""
    said, count = values.get("vaccinated"), values.get("reported_doses")
    vaccinated = said.vaccinated if said else (count.vaccinated if count else None)
    doses = (count.doses if count else None) or (said.doses if said else None)
    last_on = values.get("last_dose_on")
    why = values.get("not_vaccinated_reason")
    if vaccinated is False and count and count.vaccinated:
        ctx.warn(
            row,
            str(FIELDS[0].label),
            _("否"),
            _("“是否接种”为否，但“接种剂次”为%(n)s剂：接种情况未导入，请核对。") % {"n": count.doses},
        )
        vaccinated = None
    if last_on and last_on > timezone.localdate():
        ctx.warn(row, str(FIELDS[2].label), last_on.isoformat(), _("末次接种日期晚于今天：未导入这一项。"))
        last_on = None
    if not vaccinated and not why:
        return None
    return Reported(
        vaccinated,
        doses,
        last_on if vaccinated else None,
        values.get("vaccine") or "",
        why[0] if why else "",
        why[1] if why else "",
    )


def write(ctx: Context, rows: list[tuple[int, int, Reported]]) -> None:
    """Record what each row reports (see the module's docstring), then refresh the state
    of everyone given a reason (a recorded dose refreshes its own)."""
    residents = Resident.objects.prefetch_related("doses", "vaccination_reasons").in_bulk(
        [pk for _r, pk, _x in rows]
    )
    products = Products()
    today = timezone.localdate()
    reasons: list[ReasonRecord] = []
    entries: list[TimelineEntry] = []
    for _row, pk, reported in rows:
        resident = residents.get(pk)
        if resident is None:
            continue
        in_force = {r.reason for r in resident.vaccination_reasons.all() if not r.lifted_on}
        wanted: list[tuple[str, str]] = []
        if reported.vaccinated and not resident.doses.all():
            product = _product(products, reported.vaccine)
            if not (product and reported.last_on and _dose(ctx, resident, reported, product)):
                wanted.append((Reason.ELSEWHERE, _said(reported)))
        if reported.reason and not reported.vaccinated:
            wanted.append((reported.reason, reported.note))
        for category, note in wanted:
            if category in in_force:
                continue
            reasons.append(
                ReasonRecord(
                    resident=resident, reason=category, note=note[:200], recorded_by=account(ctx.actor)
                )
            )
            summary = _("由表格“%(f)s”导入未接种原因：%(r)s") % {"f": ctx.source, "r": Reason(category).label}
            entries.append(
                TimelineEntry(
                    resident=resident,
                    actor=account(ctx.actor),
                    kind=TimelineKind.IMPORTED,
                    summary=summary + (f"（{note}）" if note else ""),
                )
            )
    ReasonRecord.objects.bulk_create(reasons, batch_size=500)
    TimelineEntry.objects.bulk_create(entries, batch_size=500)
    if reasons:
        given = Resident.objects.filter(pk__in={r.resident_id for r in reasons})
        refresh_domain.refresh_many(given, today)


def _product(products: Products, text: str) -> VaccineProduct | None:
    """The one product the roster's words name (a brand, a generic name or a maker)."""
    if not text:
        return None
    found = products.by_name(text) or products.by_maker(text)
    return found[0] if len(found) == 1 else None


def _dose(ctx: Context, resident: Resident, reported: Reported, product: VaccineProduct) -> bool:
    """Record the last dose the roster reports, as given elsewhere; False when the rules
    or the register refuse it (then a reason record says what the roster said)."""
    assert reported.last_on is not None
    data = DoseInput(
        product=product,
        given_on=reported.last_on,
        site_name=_("居民名册登记（%(f)s）") % {"f": ctx.source[:60]},
        screening=Screening.NOT_RECORDED,
        elsewhere=True,
        dose_number=reported.doses,
    )
    try:
        record_dose(resident, data, account(ctx.actor))
    except (RuleViolation, DuplicateDose):
        return False
    return True


def _said(reported: Reported) -> str:
    """The roster's words, for the note of a reason record 外地接种."""
    parts = [_("居民名册：已接种")]
    if reported.doses:
        parts.append(_("%(n)d剂") % {"n": reported.doses})
    if reported.vaccine:
        parts.append(reported.vaccine)
    if reported.last_on:
        parts.append(_("末次%(d)s") % {"d": reported.last_on.isoformat()})
    return "，".join(parts)


COLUMNS = RosterColumns("vaccination", FIELDS, check, write)
