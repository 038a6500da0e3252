"""The permission matrix: every URL of the project, for every role and the anonymous user.

Each URL name has a row saying what every role gets for GET (and for a valid POST, or
PATCH in the API) on a row in their scope. On a row out of their scope the same
request gets 404 wherever it would have succeeded: a grid worker asking for a resident
of another grid learns nothing. A URL without a row fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from fangyi.api.models import ApiToken
from fangyi.org.models import Community, Grid, Staff, Subdistrict
from fangyi.org.roles import PERMISSIONS, Perm, Role, Scope
from fangyi.residents.models import Resident
from fangyi.sheets import jobs
from tests.factories import PASSWORD, id_number, make_resident, make_staff

R = Role
ANON = "anonymous"
LOGIN = "login"  # a redirect to /login/?next=…

# What each role may do, written here independently of fangyi.org.roles.
READERS = {
    R.SUBDISTRICT_ADMIN,
    R.SUBDISTRICT_STAFF,
    R.LEADER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.GRID_WORKER,
    R.SECONDED_CADRE,
    R.MEDICAL_STAFF,
}
EDITORS = {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER}
REVEALERS = EDITORS | {R.MEDICAL_STAFF}
ORG_READERS = {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.LEADER, R.COMMUNITY_SECRETARY}
ORG_MANAGERS = {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF}
STAFF_MANAGERS = {R.SUBDISTRICT_ADMIN}
AUDITORS = {R.SUBDISTRICT_ADMIN}  # who saw full numbers, who changed rules and organisation
# People involved in the epidemic: who phones them, who places and releases them, who
# reports their temperatures and tests, who answers their alerts.
PLACERS = {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER}
CALLERS = PLACERS | {R.SECONDED_CADRE}
HEALTH_REPORTERS = CALLERS | {R.MEDICAL_STAFF}
ALERT_HANDLERS = PLACERS | {R.MEDICAL_STAFF}


def page(allowed: set[Role], ok: int = 200) -> dict[str, int | str]:
    """A page behind login: `ok` for the allowed roles, 403 for the others."""
    return {ANON: LOGIN, **{r.value: ok if r in allowed else 403 for r in Role}}


def api(allowed: set[Role], ok: int = 200) -> dict[str, int | str]:
    """An API operation: 401 without a token, `ok` for the allowed roles, 403 for the others."""
    return {ANON: 401, **{r.value: ok if r in allowed else 403 for r in Role}}


def everyone(status: int | str, anonymous: int | str | None = None) -> dict[str, int | str]:
    return {ANON: status if anonymous is None else anonymous, **{r.value: status for r in Role}}


@dataclass
class World:
    """The base fixture plus a second subdistrict, and residents in and out of each scope."""

    org: dict
    staff: dict[Role, Staff]
    colleague: Staff  # another editor in community A: owns the import jobs out of scope
    other_community: Community
    in_scope: Resident
    out_of_scope: dict[Scope, Resident]

    def resident(self, user: Staff | None, in_scope: bool) -> Resident:
        if in_scope or user is None:
            return self.in_scope
        return self.out_of_scope[user.scope]

    def community(self, user: Staff | None, in_scope: bool) -> Community:
        return self.org["a"] if in_scope or user is None else self.other_community


Body = Callable[[World, Staff | None, bool], dict]
Target = Callable[[World, Staff | None, bool], dict]


def resident_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": world.resident(user, in_scope).pk}


def api_resident_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"resident_id": world.resident(user, in_scope).pk}


def community_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"kind": "community", "pk": world.community(user, in_scope).pk}


def new_community_kind(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"kind": "community"}


def new_resident_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {
        "name": "王秀英",
        "id_number": id_number(datetime.date(1950, 3, 4), male=False),
        "community": world.org["a"].pk,
        "grid": world.org["a1"].pk,
        "mobility": "walks",
        "status": "living_here",
    }


def edited_resident_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    resident = world.resident(user, in_scope)
    return {
        "name": resident.name,
        "id_number": resident.id_number,
        "sex": resident.sex,
        "community": resident.community_id,
        "grid": resident.grid_id or "",
        "mobility": "needs_help",
        "status": resident.status,
    }


def new_staff_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {
        "username": "newcomer",
        "display_name": "李新",
        "role": "community_worker",
        "community": world.org["a"].pk,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def community_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"name": "新建社区", "code": "", "ordering": 5}


def new_resident_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    body = new_resident_form(world, user, in_scope)
    return {**body, "community_id": body.pop("community"), "grid_id": body.pop("grid")}


def resident_patch_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"mobility": "needs_help"}


def language_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"language": "en", "next": "/"}


# One row to import, one to reject: the job then has an error workbook to download.
ROSTER = "姓名,身份证号码,所属社区\n王秀英,120113194408020041,万达新城\n李四,120113196102023451,万达新城\n"


def roster() -> SimpleUploadedFile:
    return SimpleUploadedFile("名册.csv", ROSTER.encode(), content_type="text/csv")


def roster_upload(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"file": roster()}


def residents_kind(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"kind": "residents"}


def job_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    """An import job, checked: the user's own in scope, a colleague's out of scope."""
    owner = user if in_scope and user is not None else world.colleague
    return {"pk": jobs.create("residents", roster(), owner, None).pk}


@dataclass(frozen=True)
class Entry:
    """One URL: how to call it, and the status per role on a row in scope."""

    get: dict[str, int | str] | None = None
    write: dict[str, int | str] | None = None  # a valid POST (or PATCH for the API)
    write_method: str = "post"
    target: Target | None = None  # kwargs of a URL that points at a row (None: no row)
    kwargs: Target | None = None  # kwargs of a URL without a row
    body: Body | None = None
    is_json: bool = False
    # Statuses on a row out of scope, when they are not the usual ones (see `expected`).
    outside: dict[str, int | str] | None = None


MATRIX: dict[str, Entry] = {
    "home": Entry(get=page(set(Role))),
    "ping": Entry(get=page(set(Role))),
    # Logged-in users are sent on to the start page.
    "login": Entry(get=everyone(302, anonymous=200)),
    "logout": Entry(get=everyone(405), write=everyone(302)),
    "set_language": Entry(get=everyone(302), write=everyone(302), body=language_form),
    # A posted search answers with a redirect to the list with its key (core.searches).
    "residents:list": Entry(get=page(READERS), write=page(READERS, 303), body=lambda w, u, i: {"q": "fzq"}),
    "audit:disclosures": Entry(get=page(AUDITORS)),
    "audit:changes": Entry(get=page(AUDITORS)),
    "residents:create": Entry(get=page(EDITORS), write=page(EDITORS, 302), body=new_resident_form),
    "residents:detail": Entry(get=page(READERS), target=resident_pk),
    "residents:edit": Entry(
        get=page(EDITORS), write=page(EDITORS, 302), target=resident_pk, body=edited_resident_form
    ),
    # Revealing is a POST only: permitted roles get 405 for GET, before any lookup.
    "residents:reveal": Entry(get=page(REVEALERS, 405), write=page(REVEALERS), target=resident_pk),
    "org:tree": Entry(get=page(ORG_READERS)),
    "org:staff": Entry(get=page(STAFF_MANAGERS)),
    "org:staff_add": Entry(get=page(STAFF_MANAGERS), write=page(STAFF_MANAGERS, 302), body=new_staff_form),
    "org:create": Entry(
        get=page(ORG_MANAGERS), write=page(ORG_MANAGERS, 302), kwargs=new_community_kind, body=community_form
    ),
    "org:edit": Entry(
        get=page(ORG_MANAGERS), write=page(ORG_MANAGERS, 302), target=community_pk, body=community_form
    ),
    # The OpenAPI description is public: it documents the interface, never any data.
    "api:openapi-json": Entry(get=everyone(200)),
    "api:openapi-view": Entry(get=everyone(200)),
    # ninja's root exists only so that ninja can compute its prefix; it answers 404.
    "api:api-root": Entry(get=everyone(404)),
    "api:list_residents": Entry(get=api(READERS)),
    "api:search_residents": Entry(write=api(READERS), body=lambda w, u, i: {"q": "fzq"}, is_json=True),
    "api:create_resident": Entry(write=api(EDITORS, 201), body=new_resident_json, is_json=True),
    "api:get_resident": Entry(get=api(READERS), target=api_resident_pk),
    "api:update_resident": Entry(
        write=api(EDITORS),
        write_method="patch",
        target=api_resident_pk,
        body=resident_patch_json,
        is_json=True,
    ),
    # Whoever may import some kind has a list of jobs: medical staff import doses.
    "sheets:jobs": Entry(get=page(EDITORS | {R.MEDICAL_STAFF})),
    "sheets:import": Entry(
        get=page(EDITORS), write=page(EDITORS, 302), kwargs=residents_kind, body=roster_upload
    ),
    "sheets:template": Entry(get=page(EDITORS), kwargs=residents_kind),
    "sheets:export": Entry(get=page(READERS), kwargs=residents_kind),
    # Import jobs are their uploader's alone. The sheets views look the job up before
    # checking the role, so somebody else's job is a 404 for every role.
    "sheets:job": Entry(get=page(EDITORS), target=job_pk, outside=page(set(Role), 404)),
    "sheets:progress": Entry(get=page(EDITORS), target=job_pk, outside=page(set(Role), 404)),
    "sheets:errors": Entry(get=page(EDITORS), target=job_pk, outside=page(set(Role), 404)),
    "sheets:confirm": Entry(
        get=page(set(Role), 405), write=page(EDITORS, 302), target=job_pk, outside=page(set(Role), 404)
    ),
    "sheets:retry": Entry(
        get=page(set(Role), 405), write=page(EDITORS, 302), target=job_pk, outside=page(set(Role), 404)
    ),
}

# Reports: the daily report and the trend, figures of the communities in the user's
# scope (a community secretary's report holds their community alone, tests/reports).
REPORT_READERS = {
    R.SUBDISTRICT_ADMIN,
    R.SUBDISTRICT_STAFF,
    R.LEADER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.MEDICAL_STAFF,
}
MATRIX.update(
    {
        "reports:daily": Entry(get=page(REPORT_READERS)),
        "reports:daily_xlsx": Entry(get=page(REPORT_READERS)),
        "reports:trend": Entry(get=page(REPORT_READERS)),
        "reports:trend_data": Entry(get=page(REPORT_READERS)),
        "api:daily_report": Entry(get=api(REPORT_READERS)),
        "api:trend_report": Entry(get=api(REPORT_READERS)),
    }
)

# Vaccination: doses, status, products and rules, observation, adverse events.
RECORDERS = {R.SUBDISTRICT_ADMIN, R.MEDICAL_STAFF}
VACCINE_MANAGERS = {R.SUBDISTRICT_ADMIN}


def _dose(world: World, user: Staff | None, in_scope: bool):
    from fangyi.vaccination.domain.doses import DoseInput, record_dose
    from fangyi.vaccination.models import VaccineProduct

    resident = world.resident(user, in_scope)
    day = timezone.localdate() - datetime.timedelta(days=3)
    return record_dose(resident, DoseInput(VaccineProduct.objects.get(name="众爱可维"), day), None)


def _aefi(world: World, user: Staff | None, in_scope: bool):
    from fangyi.vaccination.domain import safety

    data = safety.AefiInput(onset_at=timezone.now(), symptoms="发热", severity="mild")
    return safety.report_adverse_event(_dose(world, user, in_scope), data, None)


def dose_resident_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"resident_pk": world.resident(user, in_scope).pk}


def dose_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _dose(world, user, in_scope).pk}


def aefi_dose_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"dose_pk": _dose(world, user, in_scope).pk}


def api_dose_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"dose_id": _dose(world, user, in_scope).pk}


def observation_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    from django.utils import timezone

    from fangyi.vaccination.models import Observation

    dose = _dose(world, user, in_scope)
    if in_scope and user is not None:
        # A doctor's scope for observations is their team's doses (Observation.visible_to).
        dose.vaccinator = user
        dose.save(update_fields=["vaccinator"])
    now = timezone.now()
    observation = Observation.objects.create(
        dose=dose, started_at=now, until=now + datetime.timedelta(minutes=30)
    )
    return {"pk": observation.pk}


def api_observation_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"observation_id": observation_pk(world, user, in_scope)["pk"]}


def aefi_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _aefi(world, user, in_scope).pk}


def api_aefi_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"event_id": _aefi(world, user, in_scope).pk}


def product_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    from fangyi.vaccination.models import VaccineProduct

    return {"pk": VaccineProduct.objects.get(name="克威莎").pk}


def api_product_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"product_id": product_pk(world, user, in_scope)["pk"]}


def rule_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    from fangyi.vaccination.models import BoosterRule

    return {"pk": BoosterRule.objects.get(kind="homologous").pk}


def api_rule_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"rule_id": rule_pk(world, user, in_scope)["pk"]}


def product_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {
        "name": "克威莎",
        "generic_name": "重组新冠病毒疫苗(5型腺病毒载体)",
        "maker": "康希诺",
        "type": "adenovirus",
        "primary_doses": 1,
        "intervals": "[]",
        "min_age": 18,
        "active": "on",
    }


def new_product_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {**product_form(world, user, in_scope), "name": "新疫苗"}


def rule_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"kind": "homologous", "edition": "2021年10月", "min_days_after": 180, "active": "on"}


def dose_record_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    from fangyi.vaccination.models import VaccineProduct

    return {
        "screening": "passed",
        "product": VaccineProduct.objects.get(name="众爱可维").pk,
        "given_on": timezone.localdate().isoformat(),
        "site": world.org["site"].pk,
        "vaccinator": world.staff[R.MEDICAL_STAFF].pk,
        "batch": "202201A",
    }


def aefi_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {
        "onset_at": "2022-01-24T10:00",
        "symptoms": "接种部位红肿",
        "severity": "mild",
        "category": "common",
    }


def follow_up_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"note": "电话随访，已好转", "severity": "mild", "category": "common"}


def close_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"outcome": "痊愈"}


def api_dose_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    from fangyi.vaccination.models import VaccineProduct

    return {
        "resident_id": world.in_scope.pk,
        "product_id": VaccineProduct.objects.get(name="众爱可维").pk,
        "batch": "202201A",
        "site_id": world.org["site"].pk,
        "vaccinator_id": world.staff[R.MEDICAL_STAFF].pk,
    }


def api_screening_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    until = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    return {"resident_id": world.in_scope.pk, "result": "deferred", "until": until}


def api_aefi_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    from django.utils import timezone

    dose = _dose(world, user, True)
    return {
        "dose_id": dose.pk,
        "onset_at": timezone.now().isoformat(),
        "symptoms": "发热",
        "severity": "mild",
    }


def api_product_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {**product_form(world, user, in_scope), "name": "新疫苗", "intervals": [], "active": True}


MATRIX.update(
    {
        "vaccination:products": Entry(get=page(READERS)),
        "vaccination:product_create": Entry(
            get=page(VACCINE_MANAGERS), write=page(VACCINE_MANAGERS, 302), body=new_product_form
        ),
        "vaccination:product_edit": Entry(
            get=page(VACCINE_MANAGERS),
            write=page(VACCINE_MANAGERS, 302),
            kwargs=product_pk,
            body=product_form,
        ),
        "vaccination:rule_create": Entry(
            get=page(VACCINE_MANAGERS), write=page(VACCINE_MANAGERS, 302), body=rule_form
        ),
        "vaccination:rule_edit": Entry(
            get=page(VACCINE_MANAGERS), write=page(VACCINE_MANAGERS, 302), kwargs=rule_pk, body=rule_form
        ),
        "vaccination:doses": Entry(get=page(READERS)),
        "vaccination:dose_new": Entry(
            get=page(RECORDERS), write=page(RECORDERS, 303), body=lambda w, u, i: {"q": "fzq"}
        ),
        "vaccination:dose_record": Entry(
            get=page(RECORDERS), write=page(RECORDERS, 302), target=dose_resident_pk, body=dose_record_form
        ),
        "vaccination:dose_detail": Entry(get=page(READERS), target=dose_pk),
        "vaccination:status_list": Entry(
            get=page(READERS), write=page(READERS, 303), body=lambda w, u, i: {"q": "fzq"}
        ),
        "vaccination:observations": Entry(get=page(RECORDERS)),
        "vaccination:observation_end": Entry(
            get=page(RECORDERS, 405), write=page(RECORDERS, 302), target=observation_pk
        ),
        "vaccination:aefi_list": Entry(get=page(READERS)),
        "vaccination:aefi_report": Entry(
            get=page(RECORDERS), write=page(RECORDERS, 302), target=aefi_dose_pk, body=aefi_form
        ),
        "vaccination:aefi_detail": Entry(get=page(READERS), target=aefi_pk),
        "vaccination:aefi_follow_up": Entry(
            get=page(RECORDERS, 405), write=page(RECORDERS, 302), target=aefi_pk, body=follow_up_form
        ),
        "vaccination:aefi_close": Entry(
            get=page(RECORDERS, 405), write=page(RECORDERS, 302), target=aefi_pk, body=close_form
        ),
        "api:list_doses": Entry(get=api(READERS)),
        "api:get_dose": Entry(get=api(READERS), target=api_dose_id),
        "api:record_dose": Entry(write=api(RECORDERS, 201), body=api_dose_json, is_json=True),
        "api:record_screening": Entry(write=api(RECORDERS, 201), body=api_screening_json, is_json=True),
        "api:list_statuses": Entry(get=api(READERS)),
        "api:search_statuses": Entry(write=api(READERS), body=lambda w, u, i: {"q": "fzq"}, is_json=True),
        "api:get_status": Entry(get=api(READERS), target=api_resident_pk),
        "api:list_products": Entry(get=api(READERS)),
        "api:create_product": Entry(write=api(VACCINE_MANAGERS, 201), body=api_product_json, is_json=True),
        "api:update_product": Entry(
            write=api(VACCINE_MANAGERS),
            write_method="patch",
            kwargs=api_product_id,
            body=lambda world, user, in_scope: {"min_age": 18},
            is_json=True,
        ),
        "api:list_booster_rules": Entry(get=api(READERS)),
        "api:update_booster_rule": Entry(
            write=api(VACCINE_MANAGERS),
            write_method="patch",
            kwargs=api_rule_id,
            body=lambda world, user, in_scope: {"min_days_after": 180},
            is_json=True,
        ),
        "api:list_observations": Entry(get=api(RECORDERS)),
        "api:end_observation": Entry(
            write=api(RECORDERS), target=api_observation_id, body=lambda w, u, i: {}, is_json=True
        ),
        "api:list_adverse_events": Entry(get=api(READERS)),
        "api:get_adverse_event": Entry(get=api(READERS), target=api_aefi_id),
        "api:report_adverse_event": Entry(write=api(RECORDERS, 201), body=api_aefi_json, is_json=True),
        "api:follow_up_adverse_event": Entry(
            write=api(RECORDERS, 201),
            target=api_aefi_id,
            body=lambda w, u, i: {"note": "电话随访，已好转"},
            is_json=True,
        ),
        "api:close_adverse_event": Entry(
            write=api(RECORDERS), target=api_aefi_id, body=lambda w, u, i: {"outcome": "痊愈"}, is_json=True
        ),
    }
)

# Reports: the daily report and the trend, figures of the communities in the user's
# scope (a community secretary's report holds their community alone, tests/reports).
REPORT_READERS = {
    R.SUBDISTRICT_ADMIN,
    R.SUBDISTRICT_STAFF,
    R.LEADER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.MEDICAL_STAFF,
}
MATRIX.update(
    {
        "reports:daily": Entry(get=page(REPORT_READERS)),
        "reports:daily_xlsx": Entry(get=page(REPORT_READERS)),
        "reports:trend": Entry(get=page(REPORT_READERS)),
        "reports:trend_data": Entry(get=page(REPORT_READERS)),
        "api:daily_report": Entry(get=api(REPORT_READERS)),
        "api:trend_report": Entry(get=api(REPORT_READERS)),
    }
)

# Vaccination: outreach, appointments, slots and home-visit routes.
OUTREACH_ROLES = {
    R.SUBDISTRICT_ADMIN,
    R.SUBDISTRICT_STAFF,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.GRID_WORKER,
    R.SECONDED_CADRE,
}
ROUTE_PLANNERS = {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.COMMUNITY_SECRETARY, R.MEDICAL_STAFF}
# Cancelling or marking a no-show: whoever books (outreach) or plans the day.
APPOINTMENT_CHANGERS = OUTREACH_ROLES | ROUTE_PLANNERS
# The cadres' units figures: subdistrict roles, and a cadre for their own unit.
UNIT_VIEWERS = {R.SUBDISTRICT_ADMIN, R.SUBDISTRICT_STAFF, R.LEADER, R.SECONDED_CADRE}
# Drivers open the routes they drive (their run sheet) and nothing else.
ROUTE_VIEWERS = READERS | {R.DRIVER}


def _home_visit(world: World, user: Staff | None, in_scope: bool):
    from fangyi.vaccination.domain import appointments as booking

    return booking.book_home(world.resident(user, in_scope), timezone.localdate(), None)


def _route(world: World, user: Staff | None, in_scope: bool):
    """A route visiting the resident; its driver is the matrix's driver when in scope. The
    doctor is not the matrix's medical staff, who would otherwise see it as team member."""
    from fangyi.vaccination.domain import appointments as booking

    doctor = Staff.objects.filter(username="route_doctor").first() or make_staff(
        world.org, R.MEDICAL_STAFF, username="route_doctor"
    )
    driver = world.staff[R.DRIVER] if in_scope else None
    team = booking.Team(doctor=doctor, driver=driver)
    return booking.create_route(timezone.localdate(), team, None, [_home_visit(world, user, in_scope)])


def appointment_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _home_visit(world, user, in_scope).pk}


def api_appointment_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"appointment_id": _home_visit(world, user, in_scope).pk}


def route_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _route(world, user, in_scope).pk}


def api_route_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"route_id": _route(world, user, in_scope).pk}


def attempt_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"channel": "phone", "outcome": "unreachable"}


def deferral_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    until = timezone.localdate() + datetime.timedelta(days=7)
    # The page's screening form names the day `until` (as on the dose page); the API keeps `deferred_until`.
    return {"screening": "deferred", "until": until.isoformat(), "deferred_until": until.isoformat()}


def slots_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return {
        "site": world.org["site"].pk,
        "day": day.isoformat(),
        "start": "08:30",
        "end": "09:30",
        "minutes": 30,
        "capacity": 20,
    }


def route_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    """A route with a waiting home visit ticked (a route without one is refused)."""
    return {
        "day": timezone.localdate().isoformat(),
        "doctor": world.staff[R.MEDICAL_STAFF].pk,
        "visit": [_home_visit(world, user, in_scope).pk],
    }


def api_home_appointment_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return {"resident_id": world.in_scope.pk, "kind": "home", "date": day.isoformat()}


def api_slots_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    body = slots_form(world, user, in_scope)
    return {**body, "site_id": body.pop("site"), "date": body.pop("day")}


MATRIX.update(
    {
        "vaccination:outreach_queue": Entry(get=page(OUTREACH_ROLES)),
        "vaccination:outreach_units": Entry(get=page(UNIT_VIEWERS)),
        "vaccination:outreach_attempt": Entry(
            get=page(OUTREACH_ROLES), write=page(OUTREACH_ROLES, 302), target=resident_pk, body=attempt_form
        ),
        "vaccination:appointments": Entry(get=page(READERS)),
        # POST only: every logged-in user gets 405 for GET, before any check.
        "vaccination:appointment_cancel": Entry(
            get=page(set(Role), 405), write=page(APPOINTMENT_CHANGERS, 302), target=appointment_pk
        ),
        "vaccination:appointment_no_show": Entry(
            get=page(set(Role), 405), write=page(APPOINTMENT_CHANGERS, 302), target=appointment_pk
        ),
        "vaccination:appointment_complete": Entry(
            get=page(RECORDERS), write=page(RECORDERS, 302), target=appointment_pk, body=deferral_form
        ),
        "vaccination:slots": Entry(
            get=page(ROUTE_PLANNERS), write=page(ROUTE_PLANNERS, 302), body=slots_form
        ),
        "vaccination:routes": Entry(
            get=page(ROUTE_VIEWERS), write=page(ROUTE_PLANNERS, 302), body=route_form
        ),
        "vaccination:route_detail": Entry(get=page(ROUTE_VIEWERS), target=route_pk),
        "vaccination:route_visits": Entry(
            get=page(ROUTE_PLANNERS, 405),
            write=page(ROUTE_PLANNERS, 302),
            target=route_pk,
            body=lambda w, u, i: {"action": "add"},
        ),
        "api:outreach_queue": Entry(get=api(OUTREACH_ROLES)),
        "api:log_outreach_attempt": Entry(
            write=api(OUTREACH_ROLES, 201), target=api_resident_pk, body=attempt_form, is_json=True
        ),
        "api:outreach_units": Entry(get=api(UNIT_VIEWERS)),
        "api:list_appointments": Entry(get=api(READERS)),
        "api:create_appointment": Entry(
            write=api(OUTREACH_ROLES, 201), body=api_home_appointment_json, is_json=True
        ),
        "api:cancel_appointment": Entry(
            write=api(APPOINTMENT_CHANGERS), target=api_appointment_id, body=lambda w, u, i: {}, is_json=True
        ),
        "api:appointment_no_show": Entry(
            write=api(APPOINTMENT_CHANGERS), target=api_appointment_id, body=lambda w, u, i: {}, is_json=True
        ),
        "api:complete_appointment": Entry(
            write=api(RECORDERS), target=api_appointment_id, body=deferral_form, is_json=True
        ),
        "api:list_slots": Entry(get=api(READERS)),
        "api:create_slots": Entry(write=api(ROUTE_PLANNERS, 201), body=api_slots_json, is_json=True),
        "api:list_routes": Entry(get=api(ROUTE_VIEWERS)),
        "api:get_route": Entry(get=api(ROUTE_VIEWERS), target=api_route_id),
    }
)

# Measures: monitoring (reports, self-report links, alerts, tests, overdue).


def _monitor_case(world: World, user: Staff | None, in_scope: bool):
    """A case under measures now, where world.resident would put the resident (one per
    test: the URL and the body of a call name the same case)."""
    from tests.measures.monitor_builders import live_case

    made = world.__dict__.setdefault("monitor_cases", {})
    if in_scope not in made:
        resident = world.resident(user, in_scope)
        made[in_scope] = live_case(resident.community, resident.grid, name=resident.name)
    return made[in_scope]


def monitor_case_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _monitor_case(world, user, in_scope).pk}


def api_monitor_case_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"case_id": _monitor_case(world, user, in_scope).pk}


def report_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {f"t_{_monitor_case(world, user, in_scope).pk}": "36.5"}


def self_token(world: World, user: Staff | None, in_scope: bool) -> dict:
    from fangyi.measures.domain.selfreport import make_token

    return {"token": make_token(_monitor_case(world, user, True))}


def _alert(world: World, user: Staff | None, in_scope: bool):
    from fangyi.measures.domain.alerts import raise_alert
    from fangyi.measures.models import AlertKind

    return raise_alert(_monitor_case(world, user, in_scope), AlertKind.FEVER, "体温 37.8℃")


def alert_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _alert(world, user, in_scope).pk}


def api_alert_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"alert_id": _alert(world, user, in_scope).pk}


def _pcr(world: World, user: Staff | None, in_scope: bool):
    return _monitor_case(world, user, in_scope).tests.order_by("due_date").first()


def pcr_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _pcr(world, user, in_scope).pk}


def api_pcr_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"test_id": _pcr(world, user, in_scope).pk}


def pcr_result_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"result": "pending", "on": timezone.localdate().isoformat()}


# Measures: cases (overview, list, the case's page, placing, changing, releasing, ending,
# linking, the rules). A case in the user's grid in scope; out of scope, one in another
# grid, community or subdistrict (as the residents above).
RULE_MANAGERS = {R.SUBDISTRICT_ADMIN}


def _measure_case(
    world: World, user: Staff | None, in_scope: bool, *, placed: bool = True, due: bool = False
):
    from fangyi.measures.domain.intake import Arrival, receive
    from fangyi.measures.domain.schedule import place, proposed
    from fangyi.measures.models import Category, PcrTest, TestResult
    from fangyi.org.actors import SYSTEM

    where = world.resident(user, in_scope)
    days = 12 if due else 1
    pushed = timezone.now() - datetime.timedelta(days=days)
    arrival = Arrival(
        name="刘桂兰",
        category=Category.objects.get(code="secondary_contact"),
        pushed_at=pushed,
        exposure_date=timezone.localdate() - datetime.timedelta(days=days + 1),
        community=where.community,
        grid=where.grid,
    )
    case, _created = receive(arrival, where.community.subdistrict, SYSTEM)
    if placed:
        place(case, proposed(case), SYSTEM, now=pushed)
    if due:
        PcrTest.objects.filter(case=case).update(result=TestResult.NEGATIVE)
    return case


def case_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _measure_case(world, user, in_scope).pk}


def new_case_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _measure_case(world, user, in_scope, placed=False).pk}


def due_case_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _measure_case(world, user, in_scope, due=True).pk}


def api_case_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"case_id": _measure_case(world, user, in_scope).pk}


def api_new_case_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"case_id": _measure_case(world, user, in_scope, placed=False).pk}


def api_due_case_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"case_id": _measure_case(world, user, in_scope, due=True).pk}


def placing_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    """The proposed measures of the case the target just made, as the page posts them."""
    from fangyi.measures.domain.schedule import proposed
    from fangyi.measures.models import Case

    planned = proposed(Case.objects.order_by("-id").first())
    data = {"m-TOTAL_FORMS": str(len(planned)), "m-INITIAL_FORMS": str(len(planned))}
    for n, p in enumerate(planned):
        data |= {
            f"m-{n}-measure_type": str(p.measure_type.pk),
            f"m-{n}-start": p.start.isoformat(),
            f"m-{n}-days": str(p.days),
            f"m-{n}-test_days": ",".join(map(str, p.test_days)),
        }
    return data


def extend_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"action": "extend", "days": "2", "reason": "第7天核酸结果未出"}


def hospital_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"state": "hospital", "note": "发热，转定点医院"}


# Measures, intake and verification (m-intake): entering a person, triage, the
# verification queue and calls, the hand-over list.


def _case(world: World, user: Staff | None, in_scope: bool):
    """An open case where the user's resident in (or out of) scope lives."""
    from fangyi.measures.domain.intake import Arrival, receive
    from fangyi.measures.models import Category
    from fangyi.org.actors import SYSTEM

    resident = world.resident(user, in_scope)
    arrival = Arrival(
        name="刘桂兰",
        category=Category.objects.get(code="close_contact"),
        pushed_at=timezone.now(),
        document_number=id_number(datetime.date(1980, 3, 4), male=False),
        phone="13812345678",
        community=resident.community,
        grid=resident.grid,
    )
    return receive(arrival, resident.community.subdistrict, SYSTEM)[0]


def intake_case_pk(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"pk": _case(world, user, in_scope).pk}


def intake_api_case_id(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"case_id": _case(world, user, in_scope).pk}


def new_person_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    from fangyi.measures.models import Category

    return {
        "name": "王秀英",
        "document_number": id_number(datetime.date(1975, 3, 4), male=False),
        "category": Category.objects.get(code="close_contact").pk,
        "source": "hand",
        "address": "万达新城3号楼",
    }


def new_person_json(world: World, user: Staff | None, in_scope: bool) -> dict:
    body = new_person_form(world, user, in_scope)
    return {**body, "category": "密接"}


# A grid worker hands a case back to the community (no grid): every caller may.
def back_to_community_form(world: World, user: Staff | None, in_scope: bool) -> dict:
    return {"community": world.org["a"].pk, "grid": ""}


MATRIX.update(
    {
        "measures:report": Entry(
            get=page(HEALTH_REPORTERS),
            write=page(HEALTH_REPORTERS, 302),
            target=monitor_case_pk,
            body=report_form,
        ),
        "measures:self_link": Entry(get=page(HEALTH_REPORTERS), target=monitor_case_pk),
        "measures:qr": Entry(get=page(HEALTH_REPORTERS), target=monitor_case_pk),
        # The person's own link opens without login, for anyone holding it (a signed,
        # expiring token: tests/measures/test_monitor_selfreport.py refuses the others).
        "measures:self_report": Entry(
            get=everyone(200), write=everyone(302), kwargs=self_token, body=report_form
        ),
        "measures:alerts": Entry(get=page(READERS)),
        "measures:alert": Entry(
            get=page(READERS),
            write=page(ALERT_HANDLERS, 302),
            target=alert_pk,
            body=lambda w, u, i: {"do": "acknowledge"},
        ),
        "measures:tests_due": Entry(get=page(READERS)),
        "measures:test_result": Entry(
            get=page(HEALTH_REPORTERS),
            write=page(HEALTH_REPORTERS, 302),
            target=pcr_pk,
            body=pcr_result_form,
        ),
        "measures:overdue": Entry(get=page(READERS)),
        "api:post_report": Entry(
            write=api(HEALTH_REPORTERS, 201),
            target=api_monitor_case_id,
            body=lambda w, u, i: {"temperature": 36.6, "symptoms": []},
            is_json=True,
        ),
        "api:list_overdue": Entry(get=api(READERS)),
        "api:list_alerts": Entry(get=api(READERS)),
        "api:acknowledge_alert": Entry(
            write=api(ALERT_HANDLERS), target=api_alert_id, body=lambda w, u, i: {}, is_json=True
        ),
        "api:close_alert": Entry(
            write=api(ALERT_HANDLERS),
            target=api_alert_id,
            body=lambda w, u, i: {"action": "医生上门复测，已转发热门诊"},
            is_json=True,
        ),
        "api:list_tests": Entry(get=api(READERS)),
        "api:post_test": Entry(
            write=api(HEALTH_REPORTERS),
            target=api_pcr_id,
            body=lambda w, u, i: {"result": "negative"},
            is_json=True,
        ),
        "measures:overview": Entry(get=page(READERS)),
        "measures:case_list": Entry(
            get=page(READERS), write=page(READERS, 303), body=lambda w, u, i: {"q": "刘桂兰"}
        ),
        "measures:case_detail": Entry(get=page(READERS), target=case_pk),
        "measures:place": Entry(
            get=page(PLACERS), write=page(PLACERS, 302), target=new_case_pk, body=placing_form
        ),
        "measures:change": Entry(
            get=page(PLACERS), write=page(PLACERS, 302), target=case_pk, body=extend_form
        ),
        "measures:release_list": Entry(get=page(READERS)),
        # POST only: the roles that may release get 405 for GET, the others 403.
        "measures:release": Entry(get=page(PLACERS, 405), write=page(PLACERS, 302), target=due_case_pk),
        "measures:end": Entry(
            get=page(PLACERS), write=page(PLACERS, 302), target=case_pk, body=hospital_form
        ),
        "measures:link": Entry(
            get=page(PLACERS),
            write=page(PLACERS, 302),
            target=new_case_pk,
            body=lambda w, u, i: {"resident": w.in_scope.pk},
        ),
        "measures:rules": Entry(
            get=page(READERS),
            write=page(RULE_MANAGERS, 302),
            body=lambda w, u, i: {"what": "edition", "code": "8"},
        ),
        "api:list_cases": Entry(get=api(READERS)),
        "api:get_case": Entry(get=api(READERS), target=api_case_id),
        "api:place_case": Entry(
            write=api(PLACERS), target=api_new_case_id, body=lambda w, u, i: {}, is_json=True
        ),
        "api:change_case": Entry(write=api(PLACERS), target=api_case_id, body=extend_form, is_json=True),
        "api:release_case": Entry(
            write=api(PLACERS), target=api_due_case_id, body=lambda w, u, i: {}, is_json=True
        ),
        "api:end_case": Entry(write=api(PLACERS), target=api_case_id, body=hospital_form, is_json=True),
    }
)


MATRIX.update(
    {
        "measures:intake_new": Entry(get=page(CALLERS), write=page(CALLERS, 302), body=new_person_form),
        "measures:triage": Entry(get=page(CALLERS)),
        "measures:assign": Entry(
            get=page(CALLERS), write=page(CALLERS, 302), target=intake_case_pk, body=back_to_community_form
        ),
        "measures:verify_queue": Entry(get=page(CALLERS)),
        "measures:call": Entry(
            get=page(CALLERS),
            write=page(CALLERS, 302),
            target=intake_case_pk,
            body=lambda w, u, i: {"outcome": "unreachable"},
        ),
        "measures:handover": Entry(get=page(READERS)),
        "api:receive_person": Entry(write=api(CALLERS, 201), body=new_person_json, is_json=True),
        "api:log_call": Entry(
            write=api(CALLERS, 201),
            target=intake_api_case_id,
            body=lambda w, u, i: {"outcome": "unreachable"},
            is_json=True,
        ),
    }
)

EXCLUDED_NAMESPACES = {"admin"}


def url_names(patterns=None, namespace: str = "", route: str = "") -> Iterator[tuple[str, str]]:
    """(name, route) of every URL pattern, recursively, namespaced as for reverse()."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else None
            yield from url_names(
                pattern.url_patterns, inner or pattern.namespace or namespace, route + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            full = route + str(pattern.pattern)
            if full.startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or f"<unnamed {full}>", full


def test_every_url_is_in_the_matrix():
    missing = sorted({name for name, _ in url_names()} - MATRIX.keys())
    assert missing == [], "; ".join(f"add {name} to the matrix" for name in missing)


def test_every_matrix_row_is_a_url():
    stale = sorted(MATRIX.keys() - {name for name, _ in url_names()})
    assert stale == [], "; ".join(f"remove {name} from the matrix" for name in stale)


# Every row of org/roles.py's PERMISSIONS as this file expects it, from the sets the
# matrix above is written with. A new Perm row without its set here fails, so every
# permission decision is covered by the URL × role matrix.
EXPECTED_PERMISSIONS: dict[Perm, set[Role]] = {
    Perm.VIEW_RESIDENTS: READERS,
    Perm.EDIT_RESIDENTS: EDITORS,
    Perm.REVEAL_PERSONAL: REVEALERS,
    Perm.UNMASKED_LISTS: {R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER},
    Perm.VIEW_ORG: ORG_READERS,
    Perm.MANAGE_ORG: ORG_MANAGERS,
    Perm.MANAGE_STAFF: STAFF_MANAGERS,
    Perm.VIEW_VACCINATION: READERS,
    Perm.OUTREACH: OUTREACH_ROLES,
    Perm.RECORD_DOSE: RECORDERS,
    Perm.OVERRIDE_RULES: {R.MEDICAL_STAFF},
    Perm.PLAN_ROUTES: ROUTE_PLANNERS,
    Perm.MANAGE_VACCINES: VACCINE_MANAGERS,
    Perm.VIEW_REPORTS: REPORT_READERS,
    Perm.VIEW_AUDIT: AUDITORS,
    Perm.CHANGE_APPOINTMENTS: APPOINTMENT_CHANGERS,
    Perm.OPEN_ROUTES: ROUTE_VIEWERS,
    Perm.VIEW_UNIT_FIGURES: UNIT_VIEWERS,
    Perm.VIEW_MEASURES: READERS,
    Perm.VERIFY_CASES: CALLERS,
    Perm.PLACE_MEASURES: PLACERS,
    Perm.REPORT_HEALTH: HEALTH_REPORTERS,
    Perm.HANDLE_ALERTS: ALERT_HANDLERS,
    Perm.MANAGE_MEASURE_RULES: {R.SUBDISTRICT_ADMIN},
}


def test_every_permission_row_is_what_the_matrix_expects():
    assert {perm: set(PERMISSIONS[perm]) for perm in Perm} == {
        perm: EXPECTED_PERMISSIONS.get(perm, "no expectation in tests/test_permissions.py") for perm in Perm
    }


def test_every_matrix_row_names_every_role():
    incomplete = sorted(
        name
        for name, entry in MATRIX.items()
        for statuses in (entry.get, entry.write)
        if statuses is not None and set(statuses) != {ANON, *Role.values}
    )
    assert incomplete == []


def cases() -> list:
    """(name, method, who, in_scope) for every status in the matrix, in and out of scope."""
    params = []
    for name, entry in MATRIX.items():
        for method, statuses in (("get", entry.get), (entry.write_method, entry.write)):
            for who in statuses or {}:
                for in_scope in (True, False) if entry.target and who != ANON else (True,):
                    where = "in_scope" if in_scope else "out_of_scope"
                    params.append(
                        pytest.param(name, method, who, in_scope, id=f"{name}-{method}-{who}-{where}")
                    )
    return params


def expected(entry: Entry, method: str, who: str, in_scope: bool) -> int | str:
    """In scope, the matrix says. Out of scope, whatever would have succeeded is a 404."""
    status = (entry.get if method == "get" else entry.write)[who]
    if in_scope:
        return status
    if entry.outside is not None and status != 405:
        return entry.outside[who]
    return 404 if status in (200, 201, 302) else status


@pytest.fixture(autouse=True)
def fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded spreadsheets


@pytest.fixture
def world(org, staff) -> World:
    other = Subdistrict.objects.create(name="宜兴埠镇", district="北辰区", city="天津市")
    other_community = Community.objects.create(subdistrict=other, name="宜兴家园")
    other_grid = Grid.objects.create(community=other_community, name="第一网格")
    return World(
        org=org,
        staff=staff,
        colleague=make_staff(org, Role.COMMUNITY_WORKER, username="colleague"),
        other_community=other_community,
        in_scope=make_resident(org["a"], org["a1"], name="范芝奇"),
        out_of_scope={
            Scope.GRID: make_resident(org["a"], org["a2"], name="王德贵"),
            Scope.COMMUNITY: make_resident(org["b"], org["b1"], name="李桂兰"),
            Scope.SUBDISTRICT: make_resident(other_community, other_grid, name="赵秀珍"),
        },
    )


def call(world: World, name: str, method: str, who: str, in_scope: bool):
    entry = MATRIX[name]
    user = None if who == ANON else world.staff[Role(who)]
    client = Client()
    headers = {}
    if user is not None:
        if name.startswith("api:"):
            headers["Authorization"] = f"Bearer {ApiToken.issue(user)}"
        else:
            client.force_login(user)
    make_kwargs = entry.target or entry.kwargs
    url = reverse(name, kwargs=make_kwargs(world, user, in_scope) if make_kwargs else None)
    data = entry.body(world, user, in_scope) if entry.body and method != "get" else None
    if entry.is_json and data is not None:
        return getattr(client, method)(
            url, json.dumps(data), content_type="application/json", headers=headers
        )
    return getattr(client, method)(url, data, headers=headers)


@pytest.mark.parametrize(("name", "method", "who", "in_scope"), cases())
def test_status(world, name, method, who, in_scope):
    want = expected(MATRIX[name], method, who, in_scope)
    response = call(world, name, method, who, in_scope)
    if want == LOGIN:
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/")
    else:
        assert response.status_code == want


# Scope in lists: what each posting sees, in pages and in the API.


def page_names(client: Client, url: str = "/residents/") -> list[str]:
    return sorted(r.name for r in client.get(url).context["page"])


def api_names(user: Staff, url: str = "/api/v1/residents/") -> list[str]:
    response = Client().get(url, headers={"Authorization": f"Bearer {ApiToken.issue(user)}"})
    return sorted(r["name"] for r in response.json()["results"])


def test_grid_worker_list_holds_only_grid_a1(world, client_for):
    assert page_names(client_for(world.staff[R.GRID_WORKER])) == ["范芝奇"]


def test_community_worker_list_holds_only_community_a(world, client_for):
    assert page_names(client_for(world.staff[R.COMMUNITY_WORKER])) == ["王德贵", "范芝奇"]


def test_subdistrict_staff_list_holds_only_their_subdistrict(world, client_for):
    assert page_names(client_for(world.staff[R.SUBDISTRICT_STAFF])) == ["李桂兰", "王德贵", "范芝奇"]


def test_grid_worker_filtering_by_another_grid_still_sees_only_grid_a1(world, client_for):
    client = client_for(world.staff[R.GRID_WORKER])
    assert page_names(client, f"/residents/?grid={world.org['a2'].pk}") == ["范芝奇"]


def test_grid_worker_api_list_holds_only_grid_a1(world):
    assert api_names(world.staff[R.GRID_WORKER]) == ["范芝奇"]


def test_community_worker_api_list_holds_only_community_a(world):
    assert api_names(world.staff[R.COMMUNITY_WORKER]) == ["王德贵", "范芝奇"]


def test_subdistrict_staff_api_list_holds_only_their_subdistrict(world):
    assert api_names(world.staff[R.SUBDISTRICT_STAFF]) == ["李桂兰", "王德贵", "范芝奇"]


def test_grid_worker_api_filter_by_another_community_still_sees_only_grid_a1(world):
    url = f"/api/v1/residents/?community={world.org['b'].pk}"
    assert api_names(world.staff[R.GRID_WORKER], url) == ["范芝奇"]


def test_community_worker_cannot_register_a_resident_in_another_community(world, client_for):
    client = client_for(world.staff[R.COMMUNITY_WORKER])
    data = {**new_resident_form(world, None, True), "community": world.org["b"].pk, "grid": ""}
    response = client.post("/residents/new/", data)
    assert (response.status_code, Resident.objects.filter(name="王秀英").count()) == (200, 0)


def test_grid_worker_cannot_move_a_resident_to_another_grid(world, client_for):
    client = client_for(world.staff[R.GRID_WORKER])
    data = {**edited_resident_form(world, None, True), "grid": world.org["a2"].pk}
    response = client.post(f"/residents/{world.in_scope.pk}/edit/", data)
    world.in_scope.refresh_from_db()
    assert (response.status_code, world.in_scope.grid_id) == (200, world.org["a1"].pk)
