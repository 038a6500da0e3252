"""The self-report link (自报链接): a signed URL per case, shown as a QR code, that lets
the person (or a member of their household) report without an account.

The token names the case and the last day of its measures when it was made, signed with
the site's key and a salt of its own (django.core.signing). It opens the page while the
case is under measures and until the last day of its measures (extended or not): from
the day after, it is expired. A token altered by a single character is refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import Max
from django.utils import timezone

from fangyi.measures.domain import MeasureError
from fangyi.measures.models import Case, MeasureState, State

SALT = "fangyi.measures.selfreport"


class LinkRefused(MeasureError):
    """A token that is tampered with, expired, or of a case no longer under measures."""


def last_day(case: Case) -> datetime.date | None:
    """The last day of the case's measures (cancelled ones aside)."""
    return case.measures.exclude(state=MeasureState.CANCELLED).aggregate(last=Max("end"))["last"]


def make_token(case: Case) -> str:
    end = last_day(case) or timezone.localdate()
    # Signer, not dumps: no timestamp, so the link of a case stays the same from day to day.
    return signing.Signer(salt=SALT).sign_object({"c": case.pk, "e": end.isoformat()}, compress=True)


@dataclass(frozen=True)
class Link:
    case: Case
    until: datetime.date  # the last day the link opens the page


def open_token(token: str, *, today: datetime.date | None = None) -> Link:
    """The case of a valid token; LinkRefused (in Chinese) otherwise."""
    today = today or timezone.localdate()
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
        case_id, signed_end = int(data["c"]), datetime.date.fromisoformat(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, UnicodeError):
        raise LinkRefused("链接无效，请向社区工作人员索取新的自报链接。") from None
    case = Case.objects.select_related("household").filter(pk=case_id).first()
    if case is None or case.state != State.UNDER_MEASURE:
        raise LinkRefused("您的管控已结束，此链接已失效。如有需要请联系社区工作人员。")
    until = max(signed_end, last_day(case) or signed_end)
    if today > until:
        raise LinkRefused("此链接已过期，请向社区工作人员索取新的自报链接。")
    return Link(case, until)


def household_of(case: Case) -> list[Case]:
    """Who the link's page shows: the case, then the other members of its household
    still under measures (one person may report for all)."""
    if case.household_id is None:
        return [case]
    others = Case.objects.filter(household_id=case.household_id, state=State.UNDER_MEASURE).exclude(
        pk=case.pk
    )
    return [case, *others.order_by("id")]
