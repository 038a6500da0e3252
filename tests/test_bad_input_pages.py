"""The probe's bad input against the pages: a form error, a 400 or a 404 page in
Chinese, never a 500, and nothing changed."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.vaccination.models import Appointment, Slot
from tests.factories import make_resident
from tests.vaccination.outreach_builders import elder, home_visit

BIG = 2**63
DATE_RANGE = "日期须在1900-01-01至2100-12-31之间。"
BAD_CHARACTER = "含有不允许的控制字符或无效字符（如 NUL），请删去后重试。"


@pytest.fixture
def admin(staff, client_for):
    return client_for(staff[Role.SUBDISTRICT_ADMIN])


@pytest.fixture
def resident(org):
    return make_resident(org["a"], org["a1"], name="范芝奇", notes="独居")


def resident_form(resident: Resident, **changes) -> dict:
    data = {
        "name": resident.name,
        "id_number": resident.id_number,
        "community": resident.community_id,
        "grid": resident.grid_id,
        "mobility": resident.mobility,
        "status": resident.status,
        "notes": resident.notes,
    }
    return {**data, **changes}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_daily_report_outside_1900_to_2100_shows_today_with_a_warning(admin, day):
    response = admin.get(reverse("reports:daily"), {"date": day})
    assert (
        response.status_code,
        response.context["report"].date,
        "日期有误，显示的是今天的日报。" in response.text,
    ) == (
        200,
        timezone.localdate(),
        True,
    )


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_trend_ending_outside_1900_to_2100_is_a_form_error(admin, day):
    response = admin.get(reverse("reports:trend"), {"end": day})
    assert (response.status_code, response.context["form"].errors) == (200, {"end": [DATE_RANGE]})


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_trend_data_outside_1900_to_2100_is_400_json(admin, day):
    response = admin.get(reverse("reports:trend_data"), {"start": day})
    assert (response.status_code, response.json()["errors"]["start"][0]["message"]) == (400, DATE_RANGE)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_slot_list_of_a_day_outside_1900_to_2100_shows_today(admin, day):
    response = admin.get(reverse("vaccination:slots"), {"date": day})
    assert (response.status_code, response.context["day"]) == (200, timezone.localdate())


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_opening_slots_outside_1900_to_2100_is_a_form_error(org, admin, day):
    data = {
        "site": org["site"].pk,
        "day": day,
        "start": "08:00",
        "end": "09:00",
        "minutes": 30,
        "capacity": 20,
    }
    response = admin.post(reverse("vaccination:slots"), data)
    assert (response.status_code, response.context["form"].errors, Slot.objects.count()) == (
        200,
        {"day": [DATE_RANGE]},
        0,
    )


def test_a_status_since_0001_01_01_is_a_form_error(admin, resident):
    url = reverse("residents:edit", args=[resident.pk])
    response = admin.post(url, resident_form(resident, status="moved_out", status_since="0001-01-01"))
    resident.refresh_from_db()
    errors = response.context["form"].errors
    assert (response.status_code, list(errors), errors["status_since"][0], resident.status_since) == (
        200,
        ["status_since"],
        DATE_RANGE,
        None,
    )


def test_page_2_63_of_the_outreach_queue_is_the_last_page(staff, client_for, org):
    elder(org["a"], org["a1"], "范芝奇", 80)
    client = client_for(staff[Role.GRID_WORKER])
    response = client.get(reverse("vaccination:outreach_queue"), {"page": BIG})
    assert response.status_code == 200


def test_page_2_63_of_the_residents_list_is_the_last_page(admin, resident):
    response = admin.get(reverse("residents:list"), {"page": BIG})
    assert (response.status_code, [r.name for r in response.context["page"]]) == (200, ["范芝奇"])


@pytest.mark.parametrize("number", [str(BIG), "9" * 30])
def test_a_resident_id_beyond_64_bits_is_404(admin, number):
    response = admin.get(f"/residents/{number}/")
    assert (response.status_code, "页面不存在，或不在您的管辖范围内。" in response.text) == (404, True)


def test_a_filter_id_of_2_63_shows_the_unfiltered_list(admin, resident):
    response = admin.get(reverse("vaccination:doses"), {"community": BIG})
    assert response.status_code == 200


def test_a_nul_in_the_search_is_400(admin, resident):
    response = admin.get(reverse("residents:list"), {"q": "范\x00"})
    assert (response.status_code, BAD_CHARACTER in response.text) == (400, True)


def test_a_nul_in_a_form_field_is_400_and_changes_nothing(admin, resident):
    url = reverse("residents:edit", args=[resident.pk])
    response = admin.post(url, resident_form(resident, notes="独\x00居"))
    assert (response.status_code, BAD_CHARACTER in response.text, Resident.objects.get().notes) == (
        400,
        True,
        "独居",
    )


def test_a_nul_in_a_cancel_note_is_400_and_cancels_nothing(org, staff, client_for):
    visit = home_visit(elder(org["a"], org["a1"], "范芝奇", 80))
    client = client_for(staff[Role.COMMUNITY_WORKER])
    response = client.post(reverse("vaccination:appointment_cancel", args=[visit.pk]), {"note": "\x00"})
    assert (response.status_code, Appointment.objects.get().state) == (400, visit.state)


def test_an_escape_character_in_a_query_key_is_400(admin):
    response = admin.get(reverse("residents:list") + "?q%1B=1")
    assert response.status_code == 400


def test_a_lone_surrogate_sent_in_a_query_string_reaches_the_page_as_a_replacement(admin, resident):
    # %ED%A0%80 is the UTF-8 form of U+D800, which is not valid UTF-8: Django reads U+FFFD.
    response = admin.get(reverse("residents:list") + "?q=%ED%A0%80")
    assert (response.status_code, list(response.context["page"])) == (200, [])


def test_line_breaks_and_tabs_in_a_form_are_kept(admin, resident):
    url = reverse("residents:edit", args=[resident.pk])
    response = admin.post(url, resident_form(resident, notes="独居\r\n\t行动不便"))
    assert (response.status_code, Resident.objects.get().notes) == (302, "独居\r\n\t行动不便")


def _forms() -> list[type]:
    import fangyi.urls  # noqa: F401  (imports every view module, hence every form)

    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("fangyi."):
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def _unbounded(field: forms.Field) -> bool:
    from fangyi.core import bounds

    if isinstance(field, forms.DateField | forms.DateTimeField):
        return not isinstance(field, bounds.DateField | bounds.DateTimeField)
    if isinstance(field, forms.IntegerField):
        return field.min_value is None or field.max_value is None or field.max_value > bounds.DB_INT_MAX
    if isinstance(field, forms.ModelMultipleChoiceField):
        return not isinstance(field, bounds.ModelMultipleChoiceField)
    return False


def test_every_form_field_of_a_date_or_a_number_is_bounded():
    loose = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _forms()
        for name, field in form.base_fields.items()
        if _unbounded(field)
    ]
    assert (len(_forms()) > 15, loose) == (True, [])


def _page_urls() -> list[str]:
    """Every page URL without a parameter in its path (the admin and the API aside)."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    skip = ("admin/", "api/", "logout/")
    return sorted(
        "/" + url for url in walk(get_resolver().url_patterns) if "<" not in url and not url.startswith(skip)
    )


# Every query and form field name the pages read, each sent at once with one bad value.
FIELDS = (
    "date day start end since until page community grid site resident q kind state age reason overdue "
    "serious status mobility given_on given_time given_at onset_at status_since effective_from minutes "
    "capacity outcome home_date follow_up_on product products slot companion screening vaccinator "
    "seconded_from seconded_until ordering min_age primary_doses min_days_after doctor visit name"
).split()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", str(BIG), "9" * 40, "²"])
def test_no_page_answers_a_bad_value_in_every_field_with_a_server_error(org, staff, client_for, value):
    make_resident(org["a"], org["a1"], name="范芝奇")
    home_visit(elder(org["a"], org["a1"], "王秀英", 80))
    admin = staff[Role.SUBDISTRICT_ADMIN]
    admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    client.raise_request_exception = False
    data = dict.fromkeys(FIELDS, value)
    failed = [
        (method, url, response.status_code)
        for url in _page_urls()
        for method, response in (("GET", client.get(url, data)), ("POST", client.post(url, data)))
        if response.status_code >= 500
    ]
    assert (len(_page_urls()) > 20, failed) == (True, [])
