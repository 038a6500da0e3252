"""The self-report link: signed and expiring, no login, only the person's (or
household's) form, refusals in Chinese with nothing leaked, the help button, limits."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache

from fangyi.measures import contributions
from fangyi.measures.domain import selfreport
from fangyi.measures.models import Alert, AlertKind, Case, Report, Via
from fangyi.org.roles import Role
from tests.measures.builders import at, placed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def household(org):
    """Two people at the same address under home quarantine (one household), and a
    neighbour elsewhere."""
    common = {"category": "secondary_contact", "address": "万达新城3号楼2门401"}
    mother = placed(org, name="刘桂兰", document="120113198003040011", **common)
    son = placed(org, name="王小明", document="120113201003040015", **common)
    other = placed(org, name="赵秀珍", document="120113195003040024", address="万达新城5号楼1门101")
    return Case.objects.get(pk=mother.pk), Case.objects.get(pk=son.pk), other


def url(case: Case) -> str:
    return f"/measures/self/{selfreport.make_token(case)}/"


def test_the_token_is_stable_and_opens_the_case(household):
    mother, son, _other = household
    assert mother.household_id == son.household_id is not None
    assert selfreport.make_token(mother) == selfreport.make_token(mother)
    link = selfreport.open_token(selfreport.make_token(mother), today=datetime.date(2026, 12, 2))
    assert (link.case, link.until) == (mother, selfreport.last_day(mother))


def test_a_tampered_token_is_refused(household):
    mother, _son, _other = household
    token = selfreport.make_token(mother)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (flipped, "x" + token, token.replace(":", "", 1), "", "abc"):
        with pytest.raises(selfreport.LinkRefused) as refused:
            selfreport.open_token(bad)
        assert refused.value.message == "链接无效，请向社区工作人员索取新的自报链接。"


def test_another_salts_signature_is_refused(household):
    from django.core import signing

    mother, _son, _other = household
    forged = signing.Signer(salt="fangyi.other").sign_object(
        {"c": mother.pk, "e": "2099-01-01"}, compress=True
    )
    with pytest.raises(selfreport.LinkRefused):
        selfreport.open_token(forged)


def test_the_link_expires_the_day_after_the_last_measure(household):
    mother, _son, _other = household
    last = selfreport.last_day(mother)
    token = selfreport.make_token(mother)
    assert selfreport.open_token(token, today=last).case == mother
    with pytest.raises(selfreport.LinkRefused) as refused:
        selfreport.open_token(token, today=last + datetime.timedelta(days=1))
    assert refused.value.message == "此链接已过期，请向社区工作人员索取新的自报链接。"


def test_an_ended_case_refuses_its_link(household):
    mother, _son, _other = household
    token = selfreport.make_token(mother)
    Case.objects.filter(pk=mother.pk).update(state="released")
    with pytest.raises(selfreport.LinkRefused) as refused:
        selfreport.open_token(token)
    assert refused.value.message == "您的管控已结束，此链接已失效。如有需要请联系社区工作人员。"


def test_the_page_needs_no_login_and_shows_only_the_household(client, household):
    mother, son, other = household
    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        response = client.get(url(mother))
    html = response.content.decode()
    assert response.status_code == 200
    assert [line.case for line in response.context["lines"]] == [mother, son]
    assert "王小明" in html
    for secret in (
        "赵秀珍",
        mother.document_number,
        son.document_number,
        mother.phone or "13812345678",
        "万达新城",
    ):
        assert secret not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_a_tampered_link_gets_a_chinese_page_and_nothing_else(client, household):
    mother, _son, _other = household
    token = selfreport.make_token(mother)
    response = client.get(f"/measures/self/{token[:-2]}zz/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "链接无效，请向社区工作人员索取新的自报链接。" in html
    assert "刘桂兰" not in html and 'name="t_' not in html


def test_an_expired_link_page_with_a_frozen_clock(client, household):
    mother, _son, _other = household
    day_after = selfreport.last_day(mother) + datetime.timedelta(days=1)
    with time_machine.travel(at(f"{day_after} 09:00"), tick=False):
        response = client.get(url(mother))
    assert response.status_code == 404
    assert "此链接已过期" in response.content.decode()


def test_one_send_reports_for_the_household_self_and_household(client, household):
    mother, son, _other = household
    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        page = client.get(url(mother))
        slot = page.context["lines"][0].slot
        response = client.post(
            url(mother),
            {
                f"t_{mother.pk}": "36.5",
                f"d_{mother.pk}": slot.deadline.isoformat(),
                f"o_{son.pk}": "37.8",
                f"s_{son.pk}": ["干咳"],
            },
        )
    assert (response.status_code, response["Location"]) == (302, url(mother))
    reports = {r.case_id: r for r in Report.objects.all()}
    assert (reports[mother.pk].via, str(reports[mother.pk].temperature), reports[mother.pk].by) == (
        Via.SELF,
        "36.5",
        None,
    )
    assert (reports[son.pk].via, str(reports[son.pk].temperature), reports[son.pk].symptoms) == (
        Via.HOUSEHOLD,
        "37.8",
        ["干咳"],
    )
    assert list(Alert.objects.values_list("case__name", "kind")) == [("王小明", AlertKind.FEVER)]


def test_a_double_send_is_refused_and_nothing_changes(client, household):
    mother, _son, _other = household
    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        deadline = client.get(url(mother)).context["lines"][0].slot.deadline.isoformat()
        data = {f"t_{mother.pk}": "36.5", f"d_{mother.pk}": deadline}
        client.post(url(mother), data)
        again = client.post(url(mother), data)
    assert again.status_code == 200
    assert "刘桂兰 12-02 10:00 的体温已于 09:00 报告，未重复登记。" in again.content.decode()
    assert Report.objects.count() == 1


def test_a_bad_temperature_refuses_the_whole_send(client, household):
    mother, son, _other = household
    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        response = client.post(url(mother), {f"t_{mother.pk}": "36.5", f"o_{son.pk}": "45"})
    assert response.status_code == 200
    assert "体温须在 34.0℃ 到 43.0℃ 之间，请重新测量。" in response.content.decode()
    assert Report.objects.count() == 0


def test_nothing_filled_is_refused(client, household):
    mother, _son, _other = household
    response = client.post(url(mother), {})
    assert "请至少填写一人的体温。" in response.content.decode()


def test_the_page_refuses_a_post_without_csrf(household):
    from django.test import Client

    mother, _son, _other = household
    response = Client(enforce_csrf_checks=True).post(url(mother), {f"t_{mother.pk}": "36.5"})
    assert response.status_code == 403
    assert Report.objects.count() == 0


def test_too_many_requests_are_refused(client, household, monkeypatch):
    from fangyi.measures.views import selfreport as page

    mother, _son, _other = household
    monkeypatch.setattr(page, "PER_ADDRESS", (3, 600))
    statuses = [client.get(url(mother)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "操作过于频繁，请稍后再试。" in client.get(url(mother)).content.decode()


def test_the_help_button_hands_the_request_over_and_shows_the_answer(client, household, monkeypatch):
    mother, _son, _other = household
    received = []

    def handler(request: contributions.HelpRequest) -> str:
        received.append(request)
        return "已转给网格员，稍后联系您。"

    monkeypatch.setattr(contributions, "_HELP_HANDLERS", [handler])
    page = client.get(url(mother)).content.decode()
    assert "我需要帮助" in page
    response = client.post(url(mother), {"do": "help", "note": "买菜"})
    assert "已转给网格员，稍后联系您。" in response.content.decode()
    assert [(r.case_id, r.name, r.note, r.grid_id) for r in received] == [
        (mother.pk, "刘桂兰", "买菜", mother.grid_id)
    ]


def test_no_help_button_without_a_receiver(client, household, monkeypatch):
    mother, _son, _other = household
    monkeypatch.setattr(contributions, "_HELP_HANDLERS", [])
    assert "我需要帮助" not in client.get(url(mother)).content.decode()


def test_the_worker_sees_the_link_and_its_qr_code(client_for, staff, household):
    mother, _son, _other = household
    client = client_for(staff[Role.GRID_WORKER])
    page = client.get(f"/measures/cases/{mother.pk}/link-code/").content.decode()
    assert f"http://testserver{url(mother)}" in page
    qr = client.get(f"/measures/cases/{mother.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert re.match(rb"<svg ", qr.content)
