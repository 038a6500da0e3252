"""The daily report as the communities send it upward (XLSX) and as a terminal shows it."""

from __future__ import annotations

import unicodedata
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from fangyi.reports.domain.briefing import percent, reason_label
from fangyi.reports.domain.figures import REASONS, Daily, Row
from fangyi.residents.models import AgeBand


def title(report: Daily) -> str:
    return _("%(place)s60岁以上人群新冠病毒疫苗接种情况日报表") % {"place": report.subdistrict}


def day_label(report: Daily) -> str:
    d = report.date
    return _("%(y)d年%(m)d月%(d)d日") % {"y": d.year, "m": d.month, "d": d.day}


# (group header, [sub-headers]) in column order; a group without sub-headers is one
# column whose header spans both header rows.
def header() -> list[tuple[str, list[str]]]:
    return [
        (_("序号"), []),
        (_("社区"), []),
        (_("60岁以上登记人口数"), [_("合计"), *(str(b.label) for b in AgeBand)]),
        (_("当日首针接种"), []),
        (_("累计首针接种（至少1剂）"), [_("人数"), _("接种率")]),
        (_("全程接种"), [_("人数"), _("接种率")]),
        (_("加强免疫"), [_("人数"), _("接种率")]),
        (_("未接种人数"), [_("合计"), *(reason_label(r) for r in REASONS)]),
    ]


def cells(row: Row) -> list[Any]:
    return [
        row.population_60plus,
        *(row.population_by_band[b] for b in AgeBand.values),
        row.first_dose_60plus_today,
        row.first_dose_60plus_total,
        row.first_dose_rate_60plus,
        row.full_60plus_total,
        row.full_rate_60plus,
        row.booster_60plus_total,
        row.booster_rate_60plus,
        row.not_vaccinated_60plus,
        *(row.not_vaccinated_by_reason[r] for r in REASONS),
    ]


RATE_COLUMNS = {8, 10, 12}  # 0-based, in the full row (序号 and 社区 first)


def shown(row: Row) -> list[tuple[str, bool]]:
    """The row's cells for a page: (text, is a rate)."""
    return [
        (percent(v) if c in RATE_COLUMNS else str(v), c in RATE_COLUMNS) for c, v in enumerate(cells(row), 2)
    ]


def xlsx(report: Daily, out: str | IO[bytes]) -> None:
    """Title row, 填报单位 and date, two header rows, a row per community, 合计, then the
    briefing and the signature line, on an A4 landscape page."""
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = book.add_worksheet(_("日报"))
    fmt = book.add_format
    border = {"border": 1, "valign": "vcenter", "font_size": 10}
    title_f = fmt({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = fmt({**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#E8EEF7"})
    text = fmt({**border, "align": "center"})
    number = fmt({**border, "num_format": "0"})
    rate = fmt({**border, "num_format": "0.00%"})
    total_text = fmt({**border, "bold": True, "align": "center"})
    total_number = fmt({**border, "bold": True, "num_format": "0"})
    total_rate = fmt({**border, "bold": True, "num_format": "0.00%"})
    plain = fmt({"font_size": 11})
    note = fmt({"text_wrap": True, "valign": "top", "font_size": 11})

    columns = 2 + len(cells(report.total))
    last = columns - 1
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 12)
    ws.set_column(2, last, 8)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, last, title(report), title_f)
    ws.merge_range(1, 0, 1, 6, _("填报单位：%(unit)s") % {"unit": report.unit or report.subdistrict}, plain)
    ws.merge_range(1, 7, 1, last, _("统计日期：%(day)s") % {"day": day_label(report)}, plain)
    col = 0
    for group, subs in header():
        if subs:
            ws.merge_range(2, col, 2, col + len(subs) - 1, group, head)
            for i, sub in enumerate(subs):
                ws.write(3, col + i, sub, head)
            col += len(subs)
        else:
            ws.merge_range(2, col, 3, col, group, head)
            col += 1
    ws.set_row(3, 30)
    ws.freeze_panes(4, 2)
    r = 4
    for serial, row in enumerate(report.rows, 1):
        ws.write_number(r, 0, serial, text)
        ws.write_string(r, 1, row.community, text)
        for c, value in enumerate(cells(row), 2):
            ws.write_number(r, c, value, rate if c in RATE_COLUMNS else number)
        r += 1
    ws.merge_range(r, 0, r, 1, _("合计"), total_text)
    for c, value in enumerate(cells(report.total), 2):
        ws.write_number(r, c, value, total_rate if c in RATE_COLUMNS else total_number)
    r += 2
    ws.set_row(r, 48)
    ws.merge_range(r, 0, r, last, _("情况说明：%(text)s") % {"text": report.briefing}, note)
    r += 2
    ws.merge_range(r, 0, r, last, _("填报人：            审核人：            联系电话："), plain)
    book.close()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def text(report: Daily) -> str:
    """A table for a terminal (CJK characters count double), the reasons of the total
    and the briefing."""
    headers = [
        _("社区"),
        _("登记人口"),
        _("当日首针"),
        _("累计首针"),
        _("首针率"),
        _("全程"),
        _("全程率"),
        _("加强"),
        _("加强率"),
        _("未接种"),
    ]

    def line(row: Row, name: str) -> list[str]:
        return [
            name,
            str(row.population_60plus),
            str(row.first_dose_60plus_today),
            str(row.first_dose_60plus_total),
            percent(row.first_dose_rate_60plus),
            str(row.full_60plus_total),
            percent(row.full_rate_60plus),
            str(row.booster_60plus_total),
            percent(row.booster_rate_60plus),
            str(row.not_vaccinated_60plus),
        ]

    table = [headers, *(line(row, row.community) for row in report.rows), line(report.total, _("合计"))]
    widths = [max(_width(cells[i]) for cells in table) for i in range(len(headers))]
    out = [title(report), _("统计日期：%(day)s") % {"day": day_label(report)}, ""]
    for n, cells in enumerate(table):
        out.append("  ".join(_pad(c, widths[i], right=i > 0) for i, c in enumerate(cells)).rstrip())
        if n == 0 or n == len(table) - 2:
            out.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    bands = "，".join(f"{b.label}{report.total.population_by_band[b]}" + _("人") for b in AgeBand)
    out += ["", _("60岁以上登记人口：%(bands)s。") % {"bands": bands}]
    reasons = "，".join(
        f"{reason_label(r)}{n}" + _("人") for r, n in report.total.not_vaccinated_by_reason.items() if n
    )
    if reasons:
        out.append(_("未接种原因：%(reasons)s。") % {"reasons": reasons})
    out += ["", report.briefing]
    return "\n".join(out)
