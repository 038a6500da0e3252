"""The menu: every page a role may open, from the role table.

One declaration of the entries, each with the permissions that open its page; a user's
menu holds the entries their role holds a permission for. The entries name the pages
of apps above org by their URL names, resolved when the menu is drawn, so that org
imports none of them. tests/test_menu.py checks that every link opens and that every
page a role may open is reachable from its menu.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from fangyi.org.roles import Perm

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise

    from fangyi.org.models import Staff


@dataclass(frozen=True)
class Entry:
    label: StrOrPromise
    url_name: str
    perms: tuple[Perm, ...]  # any one of them opens the page
    args: tuple[str, ...] = ()
    # A short name when the entry is also one of the bar's links (the daily pages).
    short: StrOrPromise | None = None


@dataclass(frozen=True)
class Group:
    label: StrOrPromise
    entries: tuple[Entry, ...]


MENU: tuple[Group, ...] = (
    Group(
        _("居民"),
        (
            Entry(_("居民名单"), "residents:list", (Perm.VIEW_RESIDENTS,), short=_("居民")),
            Entry(_("登记居民"), "residents:create", (Perm.EDIT_RESIDENTS,)),
        ),
    ),
    Group(
        _("接种"),
        (
            Entry(_("接种情况"), "vaccination:status_list", (Perm.VIEW_VACCINATION,), short=_("接种")),
            Entry(_("登记接种"), "vaccination:dose_new", (Perm.RECORD_DOSE,), short=_("登记接种")),
            Entry(_("留观"), "vaccination:observations", (Perm.RECORD_DOSE,), short=_("留观")),
            Entry(_("接种记录"), "vaccination:doses", (Perm.VIEW_VACCINATION,)),
            Entry(_("异常反应"), "vaccination:aefi_list", (Perm.VIEW_VACCINATION,)),
            Entry(_("疫苗和接种规则"), "vaccination:products", (Perm.VIEW_VACCINATION,)),
        ),
    ),
    Group(
        _("涉疫管控"),
        (
            Entry(_("管控概况"), "measures:overview", (Perm.VIEW_MEASURES,)),
            Entry(_("涉疫人员"), "measures:case_list", (Perm.VIEW_MEASURES,)),
            Entry(_("今日可解除"), "measures:release_list", (Perm.VIEW_MEASURES,)),
            Entry(_("管控规则"), "measures:rules", (Perm.VIEW_MEASURES,)),
        ),
    ),
    Group(
        _("动员和上门"),
        (
            Entry(_("动员名单"), "vaccination:outreach_queue", (Perm.OUTREACH,), short=_("动员")),
            Entry(_("预约"), "vaccination:appointments", (Perm.VIEW_VACCINATION,)),
            Entry(_("上门路线"), "vaccination:routes", (Perm.OPEN_ROUTES,), short=_("上门")),
            Entry(_("接种时段"), "vaccination:slots", (Perm.PLAN_ROUTES,)),
            Entry(_("下沉干部动员成效"), "vaccination:outreach_units", (Perm.VIEW_UNIT_FIGURES,)),
        ),
    ),
    Group(
        _("涉疫人员"),
        (
            Entry(_("核实名单"), "measures:verify_queue", (Perm.VERIFY_CASES,)),
            Entry(_("登记涉疫人员"), "measures:intake_new", (Perm.VERIFY_CASES,)),
            Entry(_("待分派人员"), "measures:triage", (Perm.VERIFY_CASES,)),
            Entry(_("转出交接清单"), "measures:handover", (Perm.VIEW_MEASURES,)),
        ),
    ),
    Group(
        _("报表"),
        (
            Entry(_("接种日报"), "reports:daily", (Perm.VIEW_REPORTS,), short=_("日报")),
            Entry(_("首针趋势"), "reports:trend", (Perm.VIEW_REPORTS,)),
        ),
    ),
    Group(
        _("表格导入"),
        (
            Entry(_("导入居民"), "sheets:import", (Perm.EDIT_RESIDENTS,), args=("residents",)),
            Entry(_("导入接种记录"), "sheets:import", (Perm.RECORD_DOSE,), args=("doses",)),
            Entry(_("居民导入模板"), "sheets:template", (Perm.EDIT_RESIDENTS,), args=("residents",)),
            Entry(_("接种记录导入模板"), "sheets:template", (Perm.RECORD_DOSE,), args=("doses",)),
            Entry(_("导入推送人员"), "sheets:import", (Perm.PLACE_MEASURES,), args=("persons",)),
            Entry(_("推送人员导入模板"), "sheets:template", (Perm.PLACE_MEASURES,), args=("persons",)),
            Entry(_("我的导入记录"), "sheets:jobs", (Perm.EDIT_RESIDENTS, Perm.RECORD_DOSE)),
        ),
    ),
    Group(
        _("涉疫管控"),
        (
            Entry(_("预警"), "measures:alerts", (Perm.VIEW_MEASURES,)),
            Entry(_("逾期未报"), "measures:overdue", (Perm.VIEW_MEASURES,)),
            Entry(_("待核酸检测"), "measures:tests_due", (Perm.VIEW_MEASURES,)),
        ),
    ),
    Group(
        _("管理"),
        (
            Entry(_("组织架构"), "org:tree", (Perm.VIEW_ORG,), short=_("组织")),
            Entry(_("工作人员"), "org:staff", (Perm.MANAGE_STAFF,), short=_("人员")),
            Entry(_("审计记录"), "audit:disclosures", (Perm.VIEW_AUDIT,), short=_("审计")),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: StrOrPromise
    url: str
    short: StrOrPromise | None
    current: bool


def menu_for(user: Staff, path: str = "") -> list[tuple[StrOrPromise, list[Link]]]:
    """The groups of `user`'s menu with the links their role may open (empty groups
    left out); `current` marks the link of the page at `path`, or of the section it
    belongs to (the longest link `path` starts with)."""
    groups = _allowed(frozenset(perm for perm in Perm if user.can(perm)), get_script_prefix())
    urls = [url for _label, links in groups for _entry, url in links]
    within = [url for url in urls if path == url or (url.endswith("/") and path.startswith(url))]
    current = max(within, key=len, default=None)
    return [
        (label, [Link(entry.label, url, entry.short, url == current) for entry, url in links])
        for label, links in groups
        if links
    ]


@lru_cache(maxsize=64)
def _allowed(
    perms: frozenset[Perm], prefix: str
) -> tuple[tuple[StrOrPromise, tuple[tuple[Entry, str], ...]], ...]:
    """The menu's groups with the entries `perms` open and their URLs. Drawn on every
    page, so kept per set of permissions (a handful of roles): the URLs are fixed for a
    process (`prefix`, the script prefix, is part of the key) and the labels are lazy,
    translated when shown."""
    return tuple(
        (
            group.label,
            tuple(
                (entry, reverse(entry.url_name, args=entry.args))
                for entry in group.entries
                if perms.intersection(entry.perms)
            ),
        )
        for group in MENU
    )


def menu(request: HttpRequest) -> dict[str, Any]:
    """Template context: `menu`, the logged-in user's menu (see menu_for)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    return {"menu": menu_for(user, request.path)}  # type: ignore[arg-type]
