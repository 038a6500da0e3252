"""Property-based run over the whole OpenAPI description (schemathesis): every operation
gets valid and invalid path, query and body values — dates far outside 1900–2100,
integers beyond 64 bits, strings with NUL or lone surrogates, wrong types, missing
fields — as a user who may do everything and as a grid worker, and no answer may be a
5xx. Examples are derandomized and the Hypothesis database is off, so a run is the same
every time (CI runs it on SQLite and on PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from fangyi.api.api import api
from fangyi.api.models import ApiToken
from fangyi.donations import domain as donations
from fangyi.donations.models import Recurring
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from fangyi.services.domain import ErrandInput, log_errand
from fangyi.vaccination.domain import appointments as booking
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import VaccineProduct
from tests.factories import make_resident
from tests.vaccination.outreach_builders import born_aged, slot_on, team

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()
# Methods an operation does not have are Django's plain 405: not worth the time.
schema.config.phases.coverage.unexpected_methods = set()

# Random examples per operation and role, after schemathesis's coverage phase (every
# boundary and negative case the schema defines: ~90 % of the requests). The whole run,
# 36 operations × 2 roles, takes about 80 s of CPU.
EXAMPLES = 20


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's test client keeps the connection open across a request; a bare WSGI
    handler closes it at request_started and request_finished (PostgreSQL: the test's
    transaction would end with it)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def rows(org, staff):
    """One row of each kind, so that ids the run sends sometimes exist: residents in
    the grid worker's grid and outside it, a dose under observation with an adverse
    event, a slot, a home visit on a route, an errand."""
    a = make_resident(org["a"], org["a1"], name="范芝奇", born=born_aged(75))
    b = make_resident(org["b"], org["b1"], name="王秀英", born=born_aged(82))
    product = VaccineProduct.objects.get(name="众爱可维")
    dose = record_dose(
        a, DoseInput(product, timezone.localdate(), given_at=timezone.now(), site=org["site"]), None
    )
    safety.start_observation(dose)
    event = safety.report_adverse_event(
        dose, safety.AefiInput(onset_at=timezone.now(), symptoms="发热", severity="mild"), None
    )
    slot = slot_on(org["site"], timezone.localdate())
    visit = booking.book_home(b, timezone.localdate(), None)
    people = team(org)
    route = booking.create_route(
        timezone.localdate(), booking.Team(people["doctor"], people["nurse"], people["driver"]), None, [visit]
    )
    milk = donations.stock_line(org["subdistrict"], "牛奶", "箱")
    donor = donations.donor_named(org["subdistrict"], "于静")
    donations.receive(donations.Received(donor, milk, Decimal(500), timezone.localdate()), None)
    lunch = Recurring.objects.create(
        donor=donor,
        item=milk,
        subdistrict=org["subdistrict"],
        quantity=Decimal(1),
        starts_on=timezone.localdate(),
    )
    errand = log_errand(ErrandInput(kind="groceries", details="苹果两斤", resident=a), SYSTEM)
    return {
        "item": [milk.pk],
        "recurring": [lunch.pk],
        "errand": [errand.pk],
        "assignee": [staff[Role.GRID_WORKER].pk, staff[Role.VOLUNTEER].pk],
        "resident": [a.pk, b.pk],
        "dose": [dose.pk],
        "observation": [dose.observation.pk],
        "event": [event.pk],
        "slot": [slot.pk],
        "appointment": [visit.pk],
        "route": [route.pk],
        "product": [product.pk],
        "community": [org["a"].pk, org["b"].pk],
        "grid": [org["a1"].pk, org["b1"].pk],
        "site": [org["site"].pk],
    }


def _real_ids(values: dict | None, rows: dict) -> None:
    """Point an id at an existing row when the generated one is even: half the cases
    then reach the code behind the 404."""
    if not isinstance(values, dict):
        return
    for name, value in values.items():
        kind = name.removesuffix("_id")
        if kind in rows and isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            values[name] = rows[kind][value // 2 % len(rows[kind])]


@pytest.fixture(params=["superuser", Role.GRID_WORKER])
def token(request, staff, rows):
    user = staff[Role.SUBDISTRICT_ADMIN if request.param == "superuser" else request.param]
    if request.param == "superuser":
        user.is_superuser = True
        user.save()
    return ApiToken.issue(user)


@pytest.mark.usefixtures("wsgi_in_test_transaction")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_a_server_error(case, token, rows):
    _real_ids(case.path_parameters, rows)
    _real_ids(case.query, rows)
    _real_ids(case.body if isinstance(case.body, dict) else None, rows)
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
