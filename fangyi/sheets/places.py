"""Communities and grids as spreadsheets name them, limited to what the importer may see.

Every kind that places rows in a community (residents, later people under measures,
volunteers …) resolves names here: "宸宜家园社区居委会" finds 宸宜家园, "2网格", "二网格"
and "第二网格" find 第二网格.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from fangyi.org.models import Community, Grid
from fangyi.org.roles import Scope
from fangyi.sheets.headers import header_key
from fangyi.sheets.reader import SheetError
from fangyi.sheets.values import NUMERALS

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff
    from fangyi.sheets.headers import Header
    from fangyi.sheets.kinds import Context

_REMEMBERED = 10000


def community_keys(name: str) -> set[str]:
    key = header_key(name)
    keys = {key}
    for suffix in ("社区居民委员会", "社区居委会", "居委会", "社区"):
        if key.endswith(suffix) and len(key) > len(suffix):
            keys.add(key[: -len(suffix)])
    return keys


def grid_key(name: str) -> str:
    key = header_key(name).replace("第", "").replace("网格", "")
    if key in NUMERALS:
        return str(NUMERALS[key])
    return key.lstrip("0") or key


def _index(queryset: Any) -> dict[str, Any]:
    index: dict[str, Any] = {}
    for obj in queryset:
        for key in community_keys(obj.name):
            index.setdefault(key, obj)
    return index


def _lookup(index: dict[str, Any], name: str) -> Any:
    return next((index[k] for k in community_keys(name) if k in index), None)


class Places:
    """The communities and grids `actor` may import into (all of them for SYSTEM, the
    command line)."""

    def __init__(self, actor: Staff | SystemActor) -> None:
        grids = Grid.objects.visible_to(actor)
        self.communities = _index(Community.objects.visible_to(actor))
        self.all_communities = _index(Community.objects.all())
        self.grids = {(g.community_id, grid_key(g.name)): g for g in grids}
        self.all_grids = {(g.community_id, grid_key(g.name)) for g in Grid.objects.all()}
        self.default_grid = actor.grid if actor.scope == Scope.GRID else None
        self.default: Community | None = None
        self.community_by_pk = {c.pk: c for c in self.communities.values()}
        self.grid_by_pk = {g.pk: g for g in self.grids.values()}
        # Answers by the name as written: a roster names the same few places on every row.
        self._communities: dict[str, tuple[Community | None, str]] = {}
        self._grids: dict[tuple[int, str], tuple[Grid | None, str]] = {}

    def community(self, name: str) -> tuple[Community | None, str]:
        """The community called `name`, or None and why not."""
        answer = self._communities.get(name)
        if answer is None:
            answer = self._community(name)
            if len(self._communities) < _REMEMBERED:
                self._communities[name] = answer
        return answer

    def grid(self, community: Community, name: str) -> tuple[Grid | None, str]:
        answer = self._grids.get((community.pk, name))
        if answer is None:
            answer = self._grid(community, name)
            if len(self._grids) < _REMEMBERED:
                self._grids[community.pk, name] = answer
        return answer

    def knows_grid(self, community: Community, name: str) -> bool:
        """Whether `community` has a grid called `name` (visible to the user or not)."""
        return (community.pk, grid_key(name)) in self.all_grids

    def _community(self, name: str) -> tuple[Community | None, str]:
        found = _lookup(self.communities, name)
        if found is not None:
            return found, ""
        if _lookup(self.all_communities, name):
            return None, _("社区“%(c)s”不在您的管辖范围内，不能导入。") % {"c": name}
        return None, _("没有名为“%(c)s”的社区。") % {"c": name}

    def _grid(self, community: Community, name: str) -> tuple[Grid | None, str]:
        key = (community.pk, grid_key(name))
        found = self.grids.get(key)
        if found is not None:
            return found, ""
        if key in self.all_grids:
            return None, _("网格“%(g)s”不在您的管辖范围内，不能导入。") % {"g": name}
        return None, _("社区“%(c)s”没有名为“%(g)s”的网格。") % {"c": community.name, "g": name}

    def choose_default(self, ctx: Context, header: Header, label: str) -> None:
        """The community for rows that name none: the one chosen at upload (or with
        --community), the user's own, or the one a title row names ("填报单位：…").

        Raises SheetError when the file has no community column and none can be chosen.
        """
        chosen = ctx.options.get("community")
        actor = ctx.actor
        if isinstance(chosen, Community):
            self.default = chosen
        elif chosen:
            self.default = _lookup(self.communities, chosen)
            if self.default is None:
                raise SheetError(_("没有您可以导入的名为“%(c)s”的社区。") % {"c": chosen})
        elif actor.scope != Scope.SUBDISTRICT:
            self.default = actor.community
        elif "community" not in header.columns:
            title = header_key("".join(str(c) for row in header.above for c in row))
            named = {c.pk: c for key, c in self.communities.items() if len(key) >= 2 and key in title}
            if len(named) == 1:
                self.default = next(iter(named.values()))
                ctx.warn(
                    None,
                    label,
                    self.default.name,
                    _("表格中没有“%(col)s”列，按表头上方的标题导入到“%(c)s”。")
                    % {"col": label, "c": self.default.name},
                )
        if "community" not in header.columns and self.default is None:
            raise SheetError(_("表格中没有“%(col)s”列，请在导入时选择社区。") % {"col": label})
