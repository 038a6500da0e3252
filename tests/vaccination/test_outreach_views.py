"""Outreach pages: the queue (query guards, scope), the phone-first attempt form, the
cadres' units page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fangyi.org.roles import Role
from fangyi.vaccination.domain import outreach
from fangyi.vaccination.models import Appointment, AppointmentKind, OutreachAttempt
from tests.vaccination.outreach_builders import (
    attempt,
    cadre,
    days,
    elder,
    slot_on,
)

QUEUE = reverse("vaccination:outreach_queue")


def attempt_url(resident, query: str = "") -> str:
    return reverse("vaccination:outreach_attempt", args=[resident.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def worker(staff):
    return staff[Role.GRID_WORKER]


# ---------------------------------------------------------------- the queue


@pytest.mark.parametrize("count", [1, 3])
def test_the_grid_workers_queue_takes_the_same_queries_for_one_or_three(
    org, worker, client_for, django_assert_num_queries, count
):
    for n in range(count):
        resident = elder(org["a"], org["a1"], f"居民{n}", 70 + n * 5, phone="13812345678")
        if n == 1:
            outreach.log_attempt(resident, attempt("unreachable"), worker)
    client = client_for(worker)
    # session, user, the worker's grid, the protocol, the queue, the day's bookings
    with django_assert_num_queries(6):
        response = client.get(QUEUE)
    assert (response.status_code, len(response.context["page"].items)) == (200, count)


@pytest.mark.parametrize("count", [1, 3])
def test_the_community_queue_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    for n in range(count):
        elder(org["a"], org["a2" if n else "a1"], f"居民{n}", 70 + n)
    client = client_for(staff[Role.COMMUNITY_WORKER])
    # session, user, the community, the protocol, the queue, the day's bookings, the community's grids
    with django_assert_num_queries(7):
        response = client.get(QUEUE)
    assert len(response.context["page"].items) == count


def test_the_queue_shows_never_contacted_and_the_last_outcome(org, worker, client_for):
    elder(org["a"], org["a1"], "范芝奇", 90)
    called = elder(org["a"], org["a1"], "王德贵", 95)
    outreach.log_attempt(called, attempt("refused", refusal_category="no_need"), worker)
    html = client_for(worker).get(QUEUE).content.decode()
    assert ("从未联系" in html, "拒绝" in html, html.index("范芝奇") < html.index("王德贵")) == (
        True,
        True,
        True,
    )


def test_each_resident_links_to_their_attempt_form(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    assert f'href="{attempt_url(resident)}"' in client_for(worker).get(QUEUE).content.decode()


def test_phones_are_full_for_grid_workers_with_a_call_button(org, worker, client_for):
    elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678")
    assert 'href="tel:13812345678"' in client_for(worker).get(QUEUE).content.decode()


def test_a_cadre_sees_phones_masked(org, staff, client_for):
    elder(org["a"], org["a1"], "范芝奇", 90, phone="13812345678")
    html = client_for(staff[Role.SECONDED_CADRE]).get(QUEUE).content.decode()
    assert ("13812345678" in html, "tel:" in html) == (False, False)


def test_a_driver_gets_403_on_the_queue(staff, client_for):
    assert client_for(staff[Role.DRIVER]).get(QUEUE).status_code == 403


def test_subdistrict_staff_see_the_first_community_and_may_pick_another(org, staff, client_for):
    elder(org["a"], org["a1"], "万达", 70)
    elder(org["b"], org["b1"], "宸宜", 70)
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    first = [r.name for r in client.get(QUEUE).context["page"].items]
    picked = [r.name for r in client.get(f"{QUEUE}?community={org['b'].pk}").context["page"].items]
    assert (first, picked) == (["万达"], ["宸宜"])


def test_a_community_worker_asking_for_another_community_gets_404(org, staff, client_for):
    response = client_for(staff[Role.COMMUNITY_WORKER]).get(f"{QUEUE}?community={org['b'].pk}")
    assert response.status_code == 404


def test_a_grid_worker_asking_for_another_grid_still_gets_their_own(org, worker, client_for):
    elder(org["a"], org["a1"], "本网格", 70)
    elder(org["a"], org["a2"], "另一网格", 70)
    response = client_for(worker).get(f"{QUEUE}?grid={org['a2'].pk}")
    assert [r.name for r in response.context["page"].items] == ["本网格"]


def test_the_queue_has_a_next_page_link_without_a_count(org, worker, client_for, monkeypatch):
    monkeypatch.setattr("fangyi.vaccination.views.outreach.QUEUE_PAGE_SIZE", 2)
    for n in range(3):
        elder(org["a"], org["a1"], f"居民{n}", 70 + n)
    html = client_for(worker).get(QUEUE).content.decode()
    assert ("page=2" in html, "第 1 页" in html) == (True, True)


# ---------------------------------------------------------------- the attempt form


def test_the_attempt_form_offers_the_one_tap_outcomes(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    html = client_for(worker).get(attempt_url(resident)).content.decode()
    assert ('value="unreachable"' in html, 'value="home_tomorrow"' in html, 'hx-boost="true"' in html) == (
        True,
        True,
        True,
    )


def test_phone_unreachable_is_logged_and_moves_to_the_next_resident(org, worker, client_for):
    first = elder(org["a"], org["a1"], "范芝奇", 90)
    second = elder(org["a"], org["a1"], "王德贵", 85)
    response = client_for(worker).post(attempt_url(first), {"channel": "phone", "outcome": "unreachable"})
    logged = OutreachAttempt.objects.get()
    assert (response.status_code, response["Location"]) == (302, attempt_url(second))
    assert (logged.resident, logged.channel, logged.outcome, logged.worker) == (
        first,
        "phone",
        "unreachable",
        worker,
    )


def test_door_agreed_home_tomorrow_books_the_visit(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    client_for(worker).post(attempt_url(resident), {"channel": "door", "outcome": "home_tomorrow"})
    booked = Appointment.objects.get()
    assert (booked.resident, booked.kind, booked.date) == (resident, AppointmentKind.HOME, days(1))


def test_the_last_resident_logged_goes_back_to_the_queue(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    response = client_for(worker).post(attempt_url(resident), {"channel": "door", "outcome": "home_tomorrow"})
    assert response["Location"] == QUEUE


def test_the_queue_choice_is_kept_from_resident_to_resident(org, staff, client_for):
    first = elder(org["b"], org["b1"], "范芝奇", 90)
    second = elder(org["b"], org["b1"], "王德贵", 85)
    query = f"community={org['b'].pk}"
    response = client_for(staff[Role.SUBDISTRICT_STAFF]).post(
        attempt_url(first, query), {"channel": "phone", "outcome": "unreachable"}
    )
    assert response["Location"] == attempt_url(second, query)


def test_a_refusal_button_carries_its_category(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    client_for(worker).post(attempt_url(resident), {"channel": "family", "outcome": "refused:side_effects"})
    assert OutreachAttempt.objects.values_list("outcome", "refusal_category", "channel").get() == (
        "refused",
        "side_effects",
        "family",
    )


def test_away_without_a_date_shows_why_and_saves_nothing(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    response = client_for(worker).post(attempt_url(resident), {"channel": "phone", "outcome": "away"})
    assert (response.status_code, "请填写外出到哪天" in response.content.decode()) == (200, True)
    assert OutreachAttempt.objects.count() == 0


def test_away_with_its_date_box_is_logged(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    data = {"channel": "phone", "outcome": "away", "away_until": days(20).isoformat()}
    client_for(worker).post(attempt_url(resident), data)
    assert OutreachAttempt.objects.values_list("outcome", "until").get() == ("away", days(20))


def test_a_full_slot_is_shown_and_nothing_is_saved(org, worker, client_for):
    slot = slot_on(org["site"], days(1), capacity=1)
    outreach.log_attempt(
        elder(org["a"], org["a1"], "先约", 80), attempt("agreed", appointment_kind="site", slot=slot), worker
    )
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    response = client_for(worker).post(
        attempt_url(resident), {"channel": "phone", "outcome": "site", "slot": slot.pk}
    )
    assert (
        "已约满" in response.content.decode(),
        OutreachAttempt.objects.filter(resident=resident).count(),
    ) == (
        True,
        0,
    )


def test_a_seconded_cadre_may_be_credited_from_the_form(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    court = cadre(org)
    client_for(worker).post(
        attempt_url(resident), {"channel": "door", "outcome": "unreachable", "companion": court.pk}
    )
    assert OutreachAttempt.objects.values_list("cadre", "unit").get() == (court.pk, org["unit"].pk)


def test_a_grid_worker_logging_for_another_grids_resident_gets_404(org, worker, client_for):
    other = elder(org["a"], org["a2"], "王德贵", 85)
    response = client_for(worker).post(attempt_url(other), {"channel": "phone", "outcome": "unreachable"})
    assert (response.status_code, OutreachAttempt.objects.count()) == (404, 0)


def test_a_medical_worker_gets_403_on_the_attempt_form(org, staff, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    assert client_for(staff[Role.MEDICAL_STAFF]).get(attempt_url(resident)).status_code == 403


# ---------------------------------------------------------------- units


UNITS = reverse("vaccination:outreach_units")


def test_the_units_page_lists_every_unit_for_the_subdistrict(org, staff, client_for):
    response = client_for(staff[Role.LEADER]).get(UNITS)
    assert [f.unit.name for f in response.context["figures"]] == ["区人民法院"]


def test_a_community_worker_gets_403_on_the_units_page(staff, client_for):
    assert client_for(staff[Role.COMMUNITY_WORKER]).get(UNITS).status_code == 403


def test_the_units_page_counts_attempts_in_the_date_range(org, staff, worker, client_for):
    court = cadre(org)
    outreach.log_attempt(
        elder(org["a"], org["a1"], "范芝奇", 90), attempt("unreachable", companion=court), worker
    )
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    now = client.get(UNITS).context["figures"][0].attempts
    later = client.get(f"{UNITS}?since={days(1).isoformat()}").context["figures"][0].attempts
    assert (now, later) == (1, 0)


# ---------------------------------------------------------------- the loop keeps the worker's mode


def month_day(day) -> str:
    return f"{day.month}月{day.day}日"


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_flash_names_the_home_visit_booked_and_its_day(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    response = client_for(worker).post(
        attempt_url(resident), {"channel": "door", "outcome": "home_tomorrow"}, follow=True
    )
    assert flash(response) == [f"已为 范芝奇 预约 {month_day(days(1))} 上门接种。"]


def test_the_flash_names_the_slot_booked(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    slot = slot_on(org["site"], days(2), hour=9)
    response = client_for(worker).post(
        attempt_url(resident), {"channel": "phone", "outcome": "site", "slot": slot.pk}, follow=True
    )
    assert flash(response) == [f"已为 范芝奇 预约 {month_day(days(2))} 09:00 到{org['site'].name}接种。"]


def test_other_outcomes_keep_their_flash(org, worker, client_for):
    resident = elder(org["a"], org["a1"], "范芝奇", 90)
    response = client_for(worker).post(
        attempt_url(resident), {"channel": "phone", "outcome": "unreachable"}, follow=True
    )
    assert flash(response) == ["已记录 范芝奇：联系不上。"]


def test_the_channel_chosen_stays_for_the_next_resident_until_changed(org, worker, staff, client_for):
    first = elder(org["a"], org["a1"], "范芝奇", 90)
    second = elder(org["a"], org["a1"], "王德贵", 85)
    third = elder(org["a"], org["a1"], "李桂兰", 80)
    client = client_for(worker)
    before = client.get(attempt_url(first)).context["checked_channel"]
    after_door = client.post(attempt_url(first), {"channel": "door", "outcome": "unreachable"}, follow=True)
    after_family = client.post(
        attempt_url(second), {"channel": "family", "outcome": "unreachable"}, follow=True
    )
    # Another worker's session is not changed by this one's mode.
    other = client_for(staff[Role.COMMUNITY_WORKER]).get(attempt_url(third)).context["checked_channel"]
    door_html = after_door.content.decode()
    assert (
        before,
        after_door.context["resident"],
        after_door.context["checked_channel"],
        'value="door" checked' in door_html,
        after_family.context["checked_channel"],
        other,
    ) == ("phone", second, "door", True, "family", "phone")


def test_the_queue_marks_follow_ups_due_today_and_lists_the_days_bookings(org, worker, client_for):
    today_follow = elder(org["a"], org["a1"], "范芝奇", 90)
    later = elder(org["a"], org["a1"], "王德贵", 85)
    booked = elder(org["a"], org["a1"], "李桂兰", 80)
    outreach.log_attempt(
        today_follow, attempt("refused", refusal_category="no_need", follow_up_on=days(0)), worker
    )
    outreach.log_attempt(later, attempt("refused", refusal_category="no_need", follow_up_on=days(3)), worker)
    outreach.log_attempt(booked, attempt("agreed", appointment_kind="home", home_date=days(1)), worker)
    response = client_for(worker).get(QUEUE)
    rows = {r.name: r.follow_up_today for r in response.context["page"].items}
    html = response.content.decode()
    assert (
        rows,
        [(a.name, a.date) for a in response.context["booked"]],
        html.count("今天跟进"),
        "今天已预约 1 人" in html,
    ) == ({"范芝奇": True, "王德贵": False}, [("李桂兰", days(1))], 1, True)
