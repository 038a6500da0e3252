"""The population register: residents, households and each resident's timeline."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangyi.org.models import Community, Grid
from fangyi.org.scope import scoped
from fangyi.residents import contributions, documents, idnumber, names
from fangyi.residents.documents import DocumentType
from fangyi.residents.lookups import Prefix  # noqa: F401  (registers the __prefix lookup search uses)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from fangyi.org.actors import SystemActor
    from fangyi.org.models import Staff


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Mobility(models.TextChoices):
    WALKS = "walks", _("行动自如")
    NEEDS_HELP = "needs_help", _("需要搀扶")
    BEDRIDDEN = "bedridden", _("卧床")


class Status(models.TextChoices):
    LIVING_HERE = "living_here", _("在住")
    AWAY = "away", _("外出")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


class AgeBand(models.TextChoices):
    """The bands the upper levels count in."""

    SIXTIES = "60-69", _("60–69岁")
    SEVENTIES = "70-79", _("70–79岁")
    EIGHTY_PLUS = "80+", _("80岁及以上")

    def birth_range(self, on: datetime.date) -> tuple[datetime.date | None, datetime.date]:
        """Birth dates (exclusive lower, inclusive upper) of people in the band on `on`."""
        low, high = {"60-69": (60, 69), "70-79": (70, 79), "80+": (80, None)}[self.value]
        latest = idnumber.years_before(on, low)
        earliest = idnumber.years_before(on, high + 1) if high is not None else None
        return earliest, latest


class ResidentQuerySet(models.QuerySet["Resident"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> ResidentQuerySet:
        """Residents in the user's scope: their grid, their community or their subdistrict.

        Every page, export, API endpoint and report reads residents through this.
        """
        return scoped(
            self, user, subdistrict="community__subdistrict_id", community="community_id", grid="grid_id"
        )

    def in_age_band(self, band: AgeBand, on: datetime.date) -> ResidentQuerySet:
        earliest, latest = band.birth_range(on)
        qs = self.filter(birth_date__lte=latest)
        return qs.filter(birth_date__gt=earliest) if earliest else qs

    def search(self, text: str, *, masked: bool = False) -> ResidentQuerySet:
        """Search by any part of the name — 张琴霞 by 琴霞 or 霞 — by its pinyin from the
        start (qinxia is not 张琴霞; zhangqinxia and zqx are), a name in another script by
        any part in any case (ller for Müller); or by the last digits of a phone or a
        document number, or a number's beginning.

        For a user who sees numbers and phones `masked`, they match by their last four
        characters at most, what the mask shows: a longer prefix or suffix would let them
        rebuild the hidden birth date one guess at a time.

        A name written with a middle dot (迪丽热巴·迪力木拉提) is found with or without it.
        Everything is a prefix match (`__prefix`, see lookups.py) on an index: the search
        keys (searchkeys.py), name_pinyin, name_initials and id_number, on SQLite too.
        """
        text = text.strip()
        if not text:
            return self
        if not text.isascii():
            return self.filter(pk__in=_keyed(names.without_dots(names.canonical(text)), digits=False))
        key = "".join(ch for ch in text.lower() if ch.isalnum())
        if not key:
            return self.none()
        if any(ch.isdigit() for ch in key):  # E12345678, H1234, 5678…: no name has digits
            number = key.upper()
            if masked:
                return self.filter(pk__in=_keyed(number, digits=True)) if len(key) <= 4 else self.none()
            by_end = _keyed(number, digits=True)
            if len(key) <= 6 and (key.isdigit() or (key[:-1].isdigit() and key[-1] == "x")):
                # A few digits are an ending: as a beginning (12…, every Tianjin number)
                # they would match the whole register.
                return self.filter(pk__in=by_end)
            by_start = Resident.objects.filter(id_number__prefix=number)
            return self.filter(pk__in=by_end.union(by_start.order_by().values("pk")))
        by_pinyin = Resident.objects.filter(
            models.Q(name_pinyin__prefix=key) | models.Q(name_initials__prefix=key)
        )
        return self.filter(pk__in=_keyed(key, digits=False).union(by_pinyin.order_by().values("pk")))


def _keyed(text: str, *, digits: bool) -> models.QuerySet:
    """The ids of the residents with a search key starting `text`: an ending of the name,
    or (`digits`) the end of a phone or a document number.

    Alternatives are joined by UNION (search() too), not OR: PostgreSQL reads an OR of an
    indexed column and a subquery row by row, over the whole register."""
    if digits:
        reversed_ = text[::-1]
        found = models.Q(kind=SearchKeyKind.PHONE, key__prefix=reversed_) | models.Q(
            kind=SearchKeyKind.DOCUMENT, key__prefix=reversed_
        )
    else:
        key = text if names.has_cjk(text) else names.pinyin_keys(text)[0]
        found = models.Q(kind=SearchKeyKind.NAME, key__prefix=key) if key else models.Q(pk__in=[])
    return SearchKey.objects.filter(found).order_by().values("resident_id")


class Household(models.Model):
    """People registered at one address; one of them is the head of household."""

    community = models.ForeignKey(Community, models.PROTECT, verbose_name=_("社区"))
    head = models.ForeignKey(
        "Resident",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("户主"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")

    def __str__(self) -> str:
        return _("%(head)s户") % {"head": self.head.name if self.head else self.pk}


# The relations to the head of the household as the household register (户口簿) writes
# them: shown in the reader's language. Any other word is shown as it was written.
RELATIONS = {
    "户主": _("户主"),
    "配偶": _("配偶"),
    "子女": _("子女"),
    "儿子": _("儿子"),
    "女儿": _("女儿"),
    "子": _("儿子"),
    "女": _("女儿"),
    "父母": _("父母"),
    "父亲": _("父亲"),
    "母亲": _("母亲"),
    "孙子女": _("孙子女"),
    "孙子": _("孙子"),
    "孙女": _("孙女"),
    "外孙子女": _("外孙子女"),
    "儿媳": _("儿媳"),
    "女婿": _("女婿"),
    "兄弟姐妹": _("兄弟姐妹"),
    "祖父母": _("祖父母"),
    "其他": _("其他"),
}


class Resident(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    # Precomputed for search: "fanzhiqi" and "fzq" for 范芝奇.
    name_pinyin = models.CharField(max_length=200, editable=False)
    name_initials = models.CharField(max_length=50, editable=False)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, default=DocumentType.ID_CARD
    )
    # Unique with the document type (constraint below). The name stays id_number: most
    # residents' document is the ID card, and the API and exports know the field by it.
    id_number = models.CharField(_("证件号码"), max_length=documents.MAX_LENGTH + 3)
    # Derived from the number where it carries it (ID card); entered otherwise.
    birth_date = models.DateField(_("出生日期"))
    sex = models.CharField(
        _("性别"),
        max_length=1,
        choices=Sex.choices,
        help_text=_("登记的性别；与身份证号不一致时会提示，不会自动改正。"),
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    community = models.ForeignKey(Community, models.PROTECT, verbose_name=_("社区"))
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, verbose_name=_("网格"))
    building = models.CharField(_("楼栋"), max_length=20, blank=True)
    building_unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("户"),
    )
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    mobility = models.CharField(
        _("行动能力"), max_length=20, choices=Mobility.choices, default=Mobility.WALKS
    )
    lives_alone = models.BooleanField(_("独居"), default=False)
    party_member = models.BooleanField(_("党员"), default=False)
    party_joined_year = models.PositiveSmallIntegerField(_("入党年份"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.LIVING_HERE)
    status_since = models.DateField(_("状态日期"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Raised by one on every write (domain.py, the import): an edit made on what was read
    # at version n is refused when the row is no longer at n (no lost update). The
    # database default serves the import's rows written without model instances.
    version = models.PositiveIntegerField(_("版本"), default=1, db_default=1, editable=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["-id"]
        constraints = [
            # Led by the number: it also answers lookups and prefix searches by number
            # (varchar_pattern_ops: LIKE 'E1234%' on PostgreSQL; equality works too).
            models.UniqueConstraint(
                fields=["id_number", "document_type"],
                name="resident_document_unique",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                violation_error_message=_("该证件号码已登记。"),
            ),
        ]
        indexes = [
            models.Index(fields=["community", "-id"], name="resident_community_idx"),
            models.Index(fields=["grid", "-id"], name="resident_grid_idx"),
            models.Index(fields=["birth_date"], name="resident_birth_idx"),
            # Age bands per community or grid (80+ in 万达新城) are counted from the index alone.
            models.Index(fields=["community", "birth_date"], name="resident_community_birth_idx"),
            models.Index(fields=["grid", "birth_date"], name="resident_grid_birth_idx"),
            models.Index(fields=["name"], name="resident_name_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["name_pinyin"],
                name="resident_pinyin_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials"],
                name="resident_initials_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sex_from_id(self) -> str:
        """The sex the document number gives ("" when it gives none)."""
        return documents.carried(self.document_type, self.id_number)[1] or ""

    @property
    def sex_mismatch(self) -> bool:
        from_id = self.sex_from_id
        return bool(self.sex) and bool(from_id) and self.sex != from_id

    @property
    def relation_label(self) -> str:
        """The relation to the head of the household in the reader's language."""
        return str(RELATIONS.get(self.relation_to_head.strip(), self.relation_to_head))

    @property
    def masked_number(self) -> str:
        return documents.mask(self.document_type, self.id_number)

    def age_on(self, day: datetime.date) -> int:
        return idnumber.age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def address(self) -> str:
        parts = [
            f"{self.building}号楼" if self.building else "",
            f"{self.building_unit}单元" if self.building_unit else "",
            f"{self.room}" if self.room else "",
        ]
        return "".join(parts)


class SearchKeyKind(models.TextChoices):
    NAME = "n", _("姓名")
    PHONE = "p", _("联系电话")
    DOCUMENT = "d", _("证件号码")


class SearchKey(models.Model):
    """One key search finds a resident by (searchkeys.py keeps them): each ending of the
    name (琴霞 and 霞 for 张琴霞), the phone and the document number reversed (their last
    digits are then a prefix). Looked up by prefix on one index, on every database."""

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=1, choices=SearchKeyKind.choices)
    key = models.CharField(max_length=60)

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "key"],
                name="search_key_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class TimelineKind(models.TextChoices):
    REGISTERED = "registered", _("登记")
    CHANGED = "changed", _("信息变更")
    IMPORTED = "imported", _("表格导入")


class TimelineEntry(models.Model):
    """Something that happened to a resident, with who and when. Never edited."""

    resident = models.ForeignKey(Resident, models.CASCADE, related_name="timeline", verbose_name=_("居民"))
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    kind = models.CharField(_("类型"), max_length=30)
    summary = models.CharField(_("摘要"), max_length=300)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("时间线记录")
        verbose_name_plural = _("时间线记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["resident", "-at"], name="timeline_resident_idx")]

    def __str__(self) -> str:
        return self.summary

    @property
    def kind_label(self) -> str:
        """The kind's label, from the enum of the app that wrote it (residents.contributions)."""
        return contributions.timeline_label(self.kind)

    @property
    def link(self) -> str | None:
        """The page this entry points to (the dose, the adverse event), if any."""
        return contributions.timeline_link(self)


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def visible_to(self, user: Staff | AnonymousUser | SystemActor) -> DisclosureQuerySet:
        """Disclosures about residents of the user's scope, by the community the resident
        belonged to when it happened (the audit page also checks VIEW_AUDIT)."""
        return scoped(
            self, user, subdistrict="community__subdistrict_id", community="community_id", grid=None
        )


class DisclosureKind(models.TextChoices):
    REVEAL = "reveal", _("居民页查看完整号码")


class Disclosure(models.Model):
    """A full ID number and phone shown to someone whose role sees them masked: who, when,
    whose and from where. Kept apart from the timeline, which every reader of the resident
    sees; read on the audit page by subdistrict admins. Never edited."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("查看人"),
    )
    # Kept as text too, so that the entry still says who and whose after a deletion.
    actor_name = models.CharField(_("查看人姓名"), max_length=150, blank=True)
    resident = models.ForeignKey(
        Resident, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("居民")
    )
    resident_name = models.CharField(_("居民姓名"), max_length=50, blank=True)
    community = models.ForeignKey(
        Community, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("社区")
    )
    kind = models.CharField(
        _("方式"), max_length=20, choices=DisclosureKind.choices, default=DisclosureKind.REVEAL
    )
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    page = models.CharField(_("页面"), max_length=300, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("查看完整号码记录")
        verbose_name_plural = _("查看完整号码记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_name} → {self.resident_name}"
