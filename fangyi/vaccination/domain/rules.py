"""Which dose comes next for a resident, by the product and booster rules in the database.

`classify()` is the one place that reads the rules: recording a dose, importing one and
computing the next due date all ask it.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fangyi.residents.idnumber import age_on
from fangyi.vaccination.models import BoosterKind, BoosterRule, Dose, DoseKind, VaccineProduct


class RuleViolation(Exception):
    """A dose the rules refuse; the message says why, in Chinese. A doctor may override."""


@dataclass(frozen=True)
class Series:
    """What a resident's doses so far amount to."""

    primary: list[Dose]
    boosters: list[Dose]
    complete_on: datetime.date | None
    series_product: VaccineProduct | None  # the product that decides homologous boosters

    @classmethod
    def of(cls, doses: list[Dose]) -> Series:
        doses = sorted(doses, key=lambda d: (d.given_on, d.dose_number))
        primary = [d for d in doses if d.kind == DoseKind.PRIMARY]
        boosters = [d for d in doses if d.kind != DoseKind.PRIMARY]
        done = next((d for d in primary if d.completes_series), None)
        if done is None and boosters:
            # A booster whose primary series was given before our records: the series
            # was complete by the booster's day at the latest.
            done = boosters[0]
        # Mixed series: the 2nd dose's product decides (RULES.md); else the latest primary.
        product = primary[1].product if len(primary) >= 2 else (primary[-1].product if primary else None)
        product = product or (boosters[0].product if boosters else None)
        return cls(primary, boosters, done.given_on if done else None, product)


@dataclass(frozen=True)
class NextDose:
    dose_number: int
    kind: DoseKind
    completes_series: bool
    earliest: datetime.date | None  # the first day the rules allow it
    latest: datetime.date | None  # after this day it is overdue


def _add(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


# Booster rules by kind, read once, while `rules_read_once()` is in force.
_READ_ONCE: contextvars.ContextVar[dict[str, list[BoosterRule]] | None] = contextvars.ContextVar(
    "booster_rules_read_once", default=None
)


@contextmanager
def rules_read_once() -> Iterator[None]:
    """Within, each kind of booster rule is read from the database once: for work over
    many residents at a time (recomputing every status, the demo's history), which would
    otherwise read the same rules again for each of them. Nobody edits the rules meanwhile
    that the work must see: a rule change triggers its own recomputation."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def booster_rules(kind: BoosterKind, on: datetime.date) -> list[BoosterRule]:
    cache = _READ_ONCE.get()
    if cache is None or kind not in cache:
        rules = list(BoosterRule.objects.filter(kind=kind, active=True).prefetch_related("products"))
        if cache is not None:
            cache[kind] = rules
    else:
        rules = cache[kind]
    return [r for r in rules if not r.effective_from or r.effective_from <= on]


def _booster_allows(rule: BoosterRule, series: VaccineProduct, product: VaccineProduct) -> bool:
    if rule.series_types and series.type not in rule.series_types:
        return False
    allowed = list(rule.products.all())
    return product in allowed if allowed else product.pk == series.pk


def classify(
    doses: list[Dose], product: VaccineProduct, on: datetime.date, birth_date: datetime.date
) -> NextDose:
    """The next dose if `product` is given on `on`, or RuleViolation with the reason.

    Refuses: under the product's minimum age; another type of vaccine in a primary
    series; an interval shorter than the rules; a booster too early or with a product
    no booster rule allows; a dose after the last booster the rules know.
    """
    if age_on(birth_date, on) < product.min_age:
        raise RuleViolation(_("未满%(age)d岁，不能接种%(p)s。") % {"age": product.min_age, "p": product.name})
    series = Series.of(doses)
    number = len(doses) + 1
    if series.complete_on is None:
        return _next_primary(series, product, on, number)
    if not series.boosters:
        return _next_booster(series, product, on, number)
    if len(series.boosters) == 1:
        return _next_second_booster(series, product, on, number, birth_date)
    raise RuleViolation(_("已完成全部加强免疫，现行规则没有下一剂。"))


def _next_primary(series: Series, product: VaccineProduct, on: datetime.date, number: int) -> NextDose:
    primary = series.primary
    earliest: datetime.date | None = None
    latest: datetime.date | None = None
    if primary:
        first = primary[0]
        if primary[-1].product.type != product.type:
            raise RuleViolation(
                _("基础免疫应使用同一类型的疫苗（前一剂为%(t)s）。")
                % {"t": primary[-1].product.get_type_display()}
            )
        rule = product.interval(len(primary) + 1)
        earliest = _add(primary[-1].given_on, rule.get("min_days", 0))
        if on < earliest:
            raise RuleViolation(
                _("距上一剂不足%(d)d天，最早%(day)s可接种。") % {"d": rule["min_days"], "day": earliest}
            )
        latest = (
            _add(first.given_on, rule["max_days_after_first"]) if "max_days_after_first" in rule else None
        )
    index = len(primary) + 1
    return NextDose(number, DoseKind.PRIMARY, index >= product.primary_doses, earliest, latest)


def _next_booster(series: Series, product: VaccineProduct, on: datetime.date, number: int) -> NextDose:
    assert series.complete_on and series.series_product
    for kind, dose_kind in (
        (BoosterKind.HOMOLOGOUS, DoseKind.BOOSTER),
        (BoosterKind.HETEROLOGOUS, DoseKind.HETEROLOGOUS),
    ):
        for rule in booster_rules(kind, on):
            if _booster_allows(rule, series.series_product, product):
                earliest = _add(series.complete_on, rule.min_days_after)
                if on < earliest:
                    raise RuleViolation(
                        _("完成全程后需满%(d)d天才能加强，最早%(day)s。")
                        % {"d": rule.min_days_after, "day": earliest}
                    )
                return NextDose(number, dose_kind, False, earliest, None)
    raise RuleViolation(
        _("%(p)s不能用于%(s)s基础免疫后的加强。") % {"p": product.name, "s": series.series_product.name}
    )


def _next_second_booster(
    series: Series, product: VaccineProduct, on: datetime.date, number: int, birth_date: datetime.date
) -> NextDose:
    last = series.boosters[-1]
    for rule in booster_rules(BoosterKind.SECOND, on):
        if rule.min_age and age_on(birth_date, on) < rule.min_age:
            raise RuleViolation(_("第二剂加强限%(age)d岁及以上。") % {"age": rule.min_age})
        allowed = list(rule.products.all())
        if allowed and product not in allowed:
            continue
        earliest = _add(last.given_on, rule.min_days_after)
        if on < earliest:
            raise RuleViolation(
                _("距第一剂加强需满%(d)d天，最早%(day)s。") % {"d": rule.min_days_after, "day": earliest}
            )
        return NextDose(number, DoseKind.SECOND_BOOSTER, False, earliest, None)
    raise RuleViolation(_("现行规则下没有可用的第二剂加强。"))
