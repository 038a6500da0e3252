"""The probe's bad input against the API: each case answered 500 before; now a 422 in
the API's error shape with the reason in Chinese, and nothing changed."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import AdverseEvent, Slot, VaccineProduct
from tests.factories import make_resident
from tests.helpers import Api

BIG = 2**63
DATE_RANGE = "日期须在1900-01-01至2100-12-31之间。"
TOO_BIG_ID = "应不大于9223372036854775807。"
BAD_CHARACTER = "含有不允许的控制字符或无效字符（如 NUL），请删去后重试。"


def expected(field: str, message: str):
    """(status, body) of a refusal: 422 with the field's Chinese message."""
    return 422, {"message": "请求内容有误。", "errors": {field: [message]}}


@pytest.fixture
def admin_api(staff):
    return Api(staff[Role.SUBDISTRICT_ADMIN])


@pytest.fixture
def resident(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", notes="独居")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_daily_report_date_outside_1900_to_2100_is_422(admin_api, day):
    response = admin_api.get("/reports/daily", date=day)
    assert (response.status_code, response.json()) == expected("date", DATE_RANGE)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_slot_day_outside_1900_to_2100_is_422(admin_api, day):
    response = admin_api.get("/vaccination/slots", date=day)
    assert (response.status_code, response.json()) == expected("date", DATE_RANGE)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_opening_slots_outside_1900_to_2100_is_422_and_opens_none(org, admin_api, day):
    body = {"site_id": org["site"].pk, "date": day, "start": "08:00", "end": "09:00"}
    response = admin_api.post("/vaccination/slots", body)
    assert (response.status_code, response.json(), Slot.objects.count()) == (
        *expected("date", DATE_RANGE),
        0,
    )


def test_an_away_until_9999_12_31_is_422(staff, resident):
    body = {"channel": "phone", "outcome": "away", "until": "9999-12-31"}
    response = Api(staff[Role.GRID_WORKER]).post(f"/vaccination/outreach/{resident.pk}/attempts", body)
    assert (response.status_code, response.json()) == expected("until", DATE_RANGE)


def test_a_status_since_0001_01_01_is_422_and_changes_nothing(admin_api, resident):
    response = admin_api.patch(f"/residents/{resident.pk}", {"status_since": "0001-01-01"})
    resident.refresh_from_db()
    assert (response.status_code, response.json(), resident.status_since) == (
        *expected("status_since", DATE_RANGE),
        None,
    )


def test_an_id_of_2_63_in_the_path_is_422(admin_api):
    response = admin_api.get(f"/residents/{BIG}")
    assert (response.status_code, response.json()) == expected("resident_id", TOO_BIG_ID)


def test_an_id_of_2_63_in_a_filter_is_422(admin_api):
    response = admin_api.get("/vaccination/doses/", resident=BIG)
    assert (response.status_code, response.json()) == expected("resident", TOO_BIG_ID)


def test_an_id_of_2_63_in_a_body_is_422(org, admin_api):
    body = {"resident_id": BIG, "product_id": 1, "batch": "202201A"}
    response = admin_api.post("/vaccination/doses/", body)
    assert (response.status_code, response.json()) == expected("resident_id", TOO_BIG_ID)


def test_page_2_63_is_422(staff):
    response = Api(staff[Role.GRID_WORKER]).get("/vaccination/outreach/queue", page=BIG)
    assert (response.status_code, response.json()) == expected("page", "应不大于1000000。")


def test_page_2_63_of_the_residents_list_is_422(admin_api):
    response = admin_api.get("/residents/", page=BIG)
    assert (response.status_code, response.json()) == expected("page", "应不大于1000000。")


def test_slot_minutes_of_2_63_are_422(org, admin_api):
    body = {"site_id": org["site"].pk, "date": "2022-01-24", "start": "08:00", "end": "09:00", "minutes": BIG}
    response = admin_api.post("/vaccination/slots", body)
    assert (response.status_code, response.json()) == expected("minutes", TOO_BIG_ID)


def test_a_date_time_without_a_time_zone_is_read_in_asia_shanghai(org, staff):
    assert str(timezone.get_current_timezone()) == "Asia/Shanghai"
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    product = VaccineProduct.objects.get(name="众爱可维")
    dose = record_dose(resident, DoseInput(product, timezone.localdate(), site=org["site"]), None)
    onset = (timezone.localtime() - datetime.timedelta(minutes=5)).replace(second=0, microsecond=0)
    body = {
        "dose_id": dose.pk,
        "onset_at": onset.strftime("%Y-%m-%dT%H:%M:%S"),
        "symptoms": "发热",
        "severity": "mild",
    }
    response = Api(staff[Role.MEDICAL_STAFF]).post("/vaccination/adverse-events/", body)
    answered = datetime.datetime.fromisoformat(response.json()["onset_at"])
    assert (response.status_code, answered, AdverseEvent.objects.get().onset_at) == (201, onset, onset)


def test_a_date_time_in_the_year_9999_is_422(org, staff):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    product = VaccineProduct.objects.get(name="众爱可维")
    dose = record_dose(resident, DoseInput(product, timezone.localdate(), site=org["site"]), None)
    safety.start_observation(dose)
    body = {"dose_id": dose.pk, "onset_at": "9999-12-31T23:00:00", "symptoms": "发热", "severity": "mild"}
    response = Api(staff[Role.MEDICAL_STAFF]).post("/vaccination/adverse-events/", body)
    assert (response.status_code, response.json(), AdverseEvent.objects.count()) == (
        *expected("onset_at", DATE_RANGE),
        0,
    )


def test_a_lone_surrogate_in_json_is_422_and_changes_nothing(admin_api, resident):
    response = admin_api.client.patch(
        f"/api/v1/residents/{resident.pk}",
        '{"notes": "\\ud800"}',  # the probe's exact body
        content_type="application/json",
        headers=admin_api.headers,
    )
    assert (response.status_code, response.json(), Resident.objects.get().notes) == (
        *expected("notes", BAD_CHARACTER),
        "独居",
    )


def test_a_lone_surrogate_in_a_new_residents_name_is_422(org, admin_api):
    # json.dumps writes the lone surrogate as the escape \udfff, as a client would.
    body = json.dumps({"name": "\udfff", "id_number": "12011319610202345X", "community_id": org["a"].pk})
    response = admin_api.client.post(
        "/api/v1/residents/", body, content_type="application/json", headers=admin_api.headers
    )
    assert (response.status_code, response.json(), Resident.objects.count()) == (
        *expected("name", BAD_CHARACTER),
        0,
    )


def test_a_nul_in_a_string_is_422_and_changes_nothing(admin_api, resident):
    response = admin_api.patch(f"/residents/{resident.pk}", {"notes": "独\x00居"})
    assert (response.status_code, response.json(), Resident.objects.get().notes) == (
        *expected("notes", BAD_CHARACTER),
        "独居",
    )


def test_a_nul_in_the_search_is_422(admin_api, resident):
    response = admin_api.get("/residents/", q="范\x00")
    assert (response.status_code, response.json()) == expected("q", BAD_CHARACTER)


def test_a_line_break_in_notes_is_kept(admin_api, resident):
    response = admin_api.patch(f"/residents/{resident.pk}", {"notes": "独居\r\n\t行动不便"})
    assert (response.status_code, Resident.objects.get().notes) == (200, "独居\r\n\t行动不便")


def test_pydantic_errors_are_in_chinese(admin_api):
    response = admin_api.get("/residents/", page="abc")
    assert (response.status_code, response.json()) == expected("page", "请输入整数。")


def test_slot_minutes_beyond_a_day_are_422_and_open_nothing(org, admin_api):
    body = {
        "site_id": org["site"].pk,
        "date": "2022-01-24",
        "start": "08:00",
        "end": "09:00",
        "minutes": 10**12,
    }
    response = admin_api.post("/vaccination/slots", body)
    # The one error shape (fangyi/api/errors.py) leaves out `errors` when no field is
    # named; it was `"errors": null` before the refusals moved into exception handlers.
    assert (response.status_code, response.json(), Slot.objects.count()) == (
        422,
        {"message": "时段长度最多1440分钟，容量最多500人。"},
        0,
    )


def test_an_interval_of_a_trillion_days_is_422(admin_api):
    body = {
        "name": "新疫苗",
        "generic_name": "新冠灭活疫苗",
        "maker": "某生物",
        "type": "inactivated",
        "primary_doses": 2,
        "intervals": [{"min_days": 10**12}],
    }
    response = admin_api.post("/vaccination/products/", body)
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"intervals": ["第2剂的 min_days 最多3650天。"]},
    )


def test_a_booster_minimum_age_of_30000_is_422(admin_api):
    rule = admin_api.get("/vaccination/products/booster-rules").json()[0]
    response = admin_api.patch(f"/vaccination/products/booster-rules/{rule['id']}", {"min_age": 30000})
    assert (response.status_code, response.json()["errors"]) == (422, {"min_age": ["年龄最多150岁。"]})


def _loose(schema: dict, where: str) -> list[str]:
    """Integers without both bounds and strings without a pattern or a format, in a
    request schema and everything it contains."""
    loose = []
    if schema.get("type") == "integer" and not ("minimum" in schema and "maximum" in schema):
        loose.append(where)
    if schema.get("type") == "string" and not ({"pattern", "format", "enum"} & set(schema)):
        loose.append(where)
    for key in ("anyOf", "allOf", "oneOf"):
        for i, part in enumerate(schema.get(key, [])):
            loose += _loose(part, f"{where}[{i}]")
    for name, part in schema.get("properties", {}).items():
        loose += _loose(part, f"{where}.{name}")
    if "items" in schema:
        loose += _loose(schema["items"], f"{where}[]")
    return loose


def test_every_api_input_is_a_bounded_type():
    from fangyi.api.api import api

    description = api.get_openapi_schema()
    components = description["components"]["schemas"]
    loose = []
    for path, operations in description["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                loose += _loose(parameter["schema"], f"{method} {path} {parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "$ref" in body.get("schema", {}):
                name = body["schema"]["$ref"].rsplit("/", 1)[1]
                loose += _loose(components[name], f"{method} {path} body")
    assert loose == []


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_date_time_at_the_edge_of_the_calendar_is_422(org, staff, moment):
    resident = make_resident(org["a"], org["a1"], name="范芝奇")
    product = VaccineProduct.objects.get(name="众爱可维")
    dose = record_dose(resident, DoseInput(product, timezone.localdate(), site=org["site"]), None)
    body = {"dose_id": dose.pk, "onset_at": moment, "symptoms": "发热", "severity": "mild"}
    response = Api(staff[Role.MEDICAL_STAFF]).post("/vaccination/adverse-events/", body)
    assert (response.status_code, response.json()) == expected("onset_at", DATE_RANGE)
