"""What both volunteers' kinds share: the subdistrict of the import, its teams, places."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from fangyi.org.models import Community, Site, Subdistrict
from fangyi.sheets.headers import header_key
from fangyi.sheets.reader import SheetError
from fangyi.volunteers.models import Team, Volunteer

if TYPE_CHECKING:
    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff


def subdistrict_of(actor: Staff | SystemActor) -> Subdistrict:
    """The subdistrict an import writes into: the user's; for the command line the only
    one there is (SheetError when there are several)."""
    if actor.subdistrict_id:
        return Subdistrict.objects.get(pk=actor.subdistrict_id)
    subdistricts = list(Subdistrict.objects.order_by("id")[:2])
    if len(subdistricts) != 1:
        raise SheetError(_("有多个街道（或没有街道），无法确定导入到哪个街道。"))
    return subdistricts[0]


@dataclass
class Roster:
    """The subdistrict's teams and volunteers, found and made as an import goes."""

    subdistrict: Subdistrict
    teams: dict[str, Team] = field(default_factory=dict)
    by_phone: dict[str, Volunteer] = field(default_factory=dict)

    @classmethod
    def load(cls, subdistrict: Subdistrict) -> Roster:
        teams = {header_key(t.name): t for t in Team.objects.filter(subdistrict=subdistrict)}
        return cls(subdistrict, teams)

    def team(self, name: str | None, *, create: bool) -> Team | None:
        """The team called `name` (made when missing and `create`)."""
        if not name:
            return None
        key = header_key(name)
        found = self.teams.get(key)
        if found is None and create:
            found = self.teams[key] = Team.objects.create(subdistrict=self.subdistrict, name=name)
        return found

    def volunteers(self, phones: set[str]) -> dict[str, Volunteer]:
        """The subdistrict's volunteers with these phones (whoever may see them)."""
        missing = phones - self.by_phone.keys()
        if missing:
            for volunteer in Volunteer.objects.filter(subdistrict=self.subdistrict, phone__in=missing):
                self.by_phone[volunteer.phone] = volunteer
        return {p: self.by_phone[p] for p in phones if p in self.by_phone}


@dataclass
class Places:
    """The subdistrict's sites and communities by name: a shift's 地点."""

    sites: dict[str, Site]
    communities: dict[str, Community]

    @classmethod
    def load(cls, subdistrict: Subdistrict) -> Places:
        return cls(
            {header_key(s.name): s for s in Site.objects.filter(subdistrict=subdistrict)},
            {header_key(c.name): c for c in Community.objects.filter(subdistrict=subdistrict)},
        )

    def find(self, place: str) -> tuple[Site | None, Community | None]:
        key = header_key(place)
        site = self.sites.get(key)
        if site is not None:
            return site, None
        community = self.communities.get(key) or self.communities.get(key.removesuffix("社区"))
        return None, community
