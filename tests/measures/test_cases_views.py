"""The case pages: overview, list (filters, masking, export, N+1), the case's page,
placing, changing, ending, linking, the rules page, the resident's section."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fangyi.measures.domain.schedule import place, proposed
from fangyi.measures.models import Case, CaseMeasure, MeasureType, PcrTest, State
from fangyi.measures.models import TestResult as Result
from fangyi.measures.timeline import EventKind
from fangyi.org.actors import SYSTEM
from fangyi.org.roles import Role
from tests.factories import make_resident
from tests.measures.builders import at, placed, push

pytestmark = pytest.mark.django_db
D = datetime.date
NOW = "2026-12-02 09:00"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


def rows_for(case: Case) -> dict[str, str]:
    """The placing form as the page shows it, posted as it is."""
    planned = proposed(case)
    data = {"m-TOTAL_FORMS": str(len(planned) + 1), "m-INITIAL_FORMS": str(len(planned))}
    for n, p in enumerate(planned):
        data.update(
            {
                f"m-{n}-measure_type": str(p.measure_type.pk),
                f"m-{n}-start": p.start.isoformat(),
                f"m-{n}-days": str(p.days),
                f"m-{n}-test_days": ",".join(map(str, p.test_days)),
                f"m-{n}-place": "北辰区集中隔离点" if not p.measure_type.at_home else "",
            }
        )
    return data


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    for n in range(count):
        placed(org, name=f"人员{n}", document=f"12011319800304{n:03d}X")
    client = client_for(staff[Role.COMMUNITY_WORKER])
    # session, user, count, page, current measures; the filters' communities, grids, categories
    with django_assert_num_queries(8):
        response = client.get(reverse("measures:case_list"))
    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_release_list_takes_the_same_queries_for_one_or_three(
    org, staff, client_for, django_assert_num_queries, count
):
    for n in range(count):
        case = placed(
            org,
            name=f"人员{n}",
            document=f"12011319800304{n:03d}X",
            when="2026-11-20 11:00",
            exposure=D(2026, 11, 19),
        )
        PcrTest.objects.filter(case=case).update(result=Result.NEGATIVE)
    client = client_for(staff[Role.COMMUNITY_WORKER])
    # session, user, count, page, current measures, following measures
    with django_assert_num_queries(6):
        response = client.get(reverse("measures:release_list"))
    assert [c.name for c in response.context["page"]] == [f"人员{n}" for n in range(count)]


def test_the_list_filters_and_holds_only_the_users_scope(org, staff, client_for):
    placed(org, name="本网格", document="120113198003040011")
    push(org, name="另一网格", grid="a2", document="120113198003040012")
    push(org, name="另一社区", community="b", grid="b1", document="120113198003040013")

    def names(client, url=""):
        return sorted(c.name for c in client.get(reverse("measures:case_list") + url).context["page"])

    assert names(client_for(staff[Role.GRID_WORKER])) == ["本网格"]
    assert names(client_for(staff[Role.COMMUNITY_WORKER])) == ["另一网格", "本网格"]
    admin = client_for(staff[Role.SUBDISTRICT_ADMIN])
    assert names(admin) == ["另一社区", "另一网格", "本网格"]
    assert names(admin, "?state=under_measure") == ["本网格"]
    assert names(admin, f"?community={org['b'].pk}") == ["另一社区"]


def test_search_by_name_number_or_phone_is_posted_not_in_the_url(org, staff, client_for):
    placed(org, name="刘桂兰", document="120113198003040011", phone="13902221234")
    push(org, name="王德贵", document="120113198003040012")
    client = client_for(staff[Role.COMMUNITY_WORKER])
    for text in ("桂兰", "120113198003040011", "13902221234"):
        response = client.post(reverse("measures:case_list"), {"q": text}, follow=True)
        assert [c.name for c in response.context["page"]] == ["刘桂兰"]
        assert text not in response.redirect_chain[0][0]


def test_numbers_are_masked_unless_the_role_sees_them(org, staff, client_for):
    placed(org, document="120113198003040011", phone="13902221234")
    leader = client_for(staff[Role.LEADER]).get(reverse("measures:case_list")).content.decode()
    assert "120113198003040011" not in leader and "13902221234" not in leader
    worker = client_for(staff[Role.GRID_WORKER]).get(reverse("measures:case_list")).content.decode()
    assert "120113198003040011" in worker and "13902221234" in worker


def test_the_export_is_the_filtered_list_masked_by_role(org, staff, client_for):
    placed(org, name="刘桂兰", document="120113198003040011", phone="13902221234")
    push(org, name="王德贵", document="120113198003040012")
    response = client_for(staff[Role.LEADER]).get(
        reverse("measures:case_list") + "?state=under_measure&format=xlsx"
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["姓名", "证件号码", "手机号", "人员类别"]
    assert len(rows) == 2
    assert rows[1][0] == "刘桂兰"
    assert rows[1][1] != "120113198003040011" and rows[1][2] != "13902221234"
    assert rows[1][11] == "集中隔离 2026-12-01至2026-12-07"


def test_the_overview_counts_by_state_community_and_category(org, staff, client_for):
    placed(org, document="120113198003040011")
    push(org, name="王德贵", document="120113198003040012", category="secondary_contact")
    push(org, name="李四", community="b", grid="b1", document="120113198003040013")
    admin = client_for(staff[Role.SUBDISTRICT_ADMIN]).get(reverse("measures:overview")).context
    counts = {state: n for state, _label, n in admin["states"]}
    assert (counts["new"], counts["under_measure"], counts["released"], admin["open_total"]) == (2, 1, 0, 3)
    assert [(name, counts, total) for _pk, name, counts, total in admin["communities"]] == [
        (org["a"].name, [1, 0, 0, 1], 2),
        (org["b"].name, [1, 0, 0, 0], 1),
    ]
    assert dict(admin["categories"]) == {"密切接触者": 2, "密接的密接": 1}
    grid = client_for(staff[Role.GRID_WORKER]).get(reverse("measures:overview")).context
    assert grid["open_total"] == 2 and "communities" not in grid


def test_placing_under_the_proposed_measures(org, staff, client_for):
    case = push(org)
    client = client_for(staff[Role.GRID_WORKER])
    page = client.get(reverse("measures:place", args=[case.pk]))
    assert page.status_code == 200
    assert [f.initial["days"] for f in page.context["rows"].forms[:2]] == [7, 3]
    response = client.post(reverse("measures:place", args=[case.pk]), rows_for(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.UNDER_MEASURE
    assert list(case.measures.values_list("measure_type__code", "state", "start", "end", "place")) == [
        ("centralized", "active", D(2026, 12, 1), D(2026, 12, 7), "北辰区集中隔离点"),
        ("home_monitoring", "planned", D(2026, 12, 8), D(2026, 12, 10), ""),
    ]
    event = case.events.get(kind=EventKind.PLACED)
    assert event.actor == staff[Role.GRID_WORKER]


def test_placing_refused_without_a_measure_or_a_place(org, staff, client_for):
    case = push(org)
    client = client_for(staff[Role.GRID_WORKER])
    none = {"m-TOTAL_FORMS": "1", "m-INITIAL_FORMS": "0", "m-0-measure_type": ""}
    response = client.post(reverse("measures:place", args=[case.pk]), none)
    assert response.status_code == 400
    assert "请至少选择一项管控措施。" in response.content.decode()
    data = rows_for(case)
    data["m-0-place"] = ""
    response = client.post(reverse("measures:place", args=[case.pk]), data)
    assert response.status_code == 400
    assert "集中隔离须填写隔离地点。" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.NEW
    assert set(CaseMeasure.objects.filter(case=case).values_list("state", flat=True)) == {"proposed"}


def test_changing_on_the_page_and_its_refusal(org, staff, client_for):
    case = placed(org)
    client = client_for(staff[Role.COMMUNITY_WORKER])
    url = reverse("measures:change", args=[case.pk])
    refused = client.post(url, {"action": "shorten", "days": "7", "reason": "上级通知"})
    assert refused.status_code == 400
    assert "集中隔离共 7 天，缩短 7 天后不足 1 天。" in refused.content.decode()
    missing = client.post(url, {"action": "extend", "reason": "x"})
    assert missing.status_code == 400 and "此项为必填项。" in missing.content.decode()
    assert client.post(url, {"action": "extend", "days": "2", "reason": "结果未出"}).status_code == 302
    assert case.measures.get(order=1).end == D(2026, 12, 9)


def test_the_case_page_shows_the_cycle_and_the_actions(org, staff, client_for):
    case = placed(org)
    response = client_for(staff[Role.GRID_WORKER]).get(reverse("measures:case_detail", args=[case.pk]))
    body = response.content.decode()
    assert response.context["can_change"] and not response.context["can_place"]
    assert not response.context["can_release"]
    assert "落控：集中隔离 12-01至12-07；居家监测 12-08至12-10" in body
    statuses = [status for _slot, status in response.context["slots"]]
    assert statuses[:2] == ["overdue", "due"]  # 12-01 16:00 missed, 12-02 10:00 to come
    leader = client_for(staff[Role.LEADER]).get(reverse("measures:case_detail", args=[case.pk])).context
    assert not leader["can_change"] and not leader["can_end"]


def test_ending_on_the_page(org, staff, client_for):
    case = placed(org)
    client = client_for(staff[Role.COMMUNITY_WORKER])
    url = reverse("measures:end", args=[case.pk])
    refused = client.post(url, {"state": "lost", "note": ""})
    assert refused.status_code == 400 and "失联须填写原因。" in refused.content.decode()
    assert client.post(url, {"state": "hospital", "note": "发热转院"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.HOSPITAL


def test_releasing_from_the_list(org, staff, client_for):
    case = placed(org, when="2026-11-20 11:00", exposure=D(2026, 11, 19), category="secondary_contact")
    PcrTest.objects.filter(case=case).update(result=Result.NEGATIVE)
    client = client_for(staff[Role.GRID_WORKER])
    response = client.post(reverse("measures:release", args=[case.pk]), {"next": "list"})
    assert response["Location"] == reverse("measures:release_list")
    case.refresh_from_db()
    assert case.state == State.RELEASED


def test_linking_to_a_resident_on_the_page(org, staff, client_for):
    case = push(org, document="")
    resident = make_resident(org["a"], org["a1"], name="刘桂兰")
    client = client_for(staff[Role.GRID_WORKER])
    assert resident in client.get(reverse("measures:link", args=[case.pk])).context["found"]
    assert client.post(reverse("measures:link", args=[case.pk]), {"resident": resident.pk}).status_code == 302
    case.refresh_from_db()
    assert case.resident == resident
    section = client.get(reverse("residents:detail", args=[resident.pk])).content.decode()
    assert "涉疫管控" in section and reverse("measures:case_detail", args=[case.pk]) in section


def test_rules_edited_by_the_administrator_leave_placed_cases_alone(org, staff, client_for):
    case = placed(org)
    centralized = MeasureType.objects.get(code="centralized")
    admin = client_for(staff[Role.SUBDISTRICT_ADMIN])
    data = {
        "what": "type",
        "pk": centralized.pk,
        "report_times": "9:00，15:00",
        "fever_threshold": "37.3",
        "symptoms": "发热",
    }
    assert admin.post(reverse("measures:rules"), data).status_code == 302
    centralized.refresh_from_db()
    assert centralized.report_times == ["09:00", "15:00"]
    assert case.measures.get(order=1).report_times == ["10:00", "16:00"]
    later = push(org, name="王德贵", document="120113198003040012")
    place(later, proposed(later), SYSTEM, now=at(NOW))
    assert later.measures.get(order=1).report_times == ["09:00", "15:00"]
    bad = admin.post(reverse("measures:rules"), {**data, "report_times": "25:00"})
    assert bad.status_code == 400 and "报告时间请写成 时:分，如 10:00，16:00。" in bad.content.decode()


def test_the_edition_new_cases_follow_is_switched_on_the_rules_page(org, staff, client_for):
    admin = client_for(staff[Role.SUBDISTRICT_ADMIN])
    assert admin.post(reverse("measures:rules"), {"what": "edition", "code": "8"}).status_code == 302
    case = push(org)
    assert case.edition.code == "8"
    assert [m.days for m in case.measures.all()] == [14, 7]


def test_the_rules_are_read_only_for_viewers(org, staff, client_for):
    client = client_for(staff[Role.LEADER])
    page = client.get(reverse("measures:rules"))
    assert page.status_code == 200 and not page.context["may_edit"]
    assert 'name="what"' not in page.content.decode()
    assert client.post(reverse("measures:rules"), {"what": "edition", "code": "8"}).status_code == 403


def test_a_protocol_step_edited_changes_new_proposals_only(org, staff, client_for):
    from fangyi.measures.models import ProtocolStep

    case = placed(org)
    step = ProtocolStep.objects.get(edition__code="9", category__code="close_contact", order=1)
    admin = client_for(staff[Role.SUBDISTRICT_ADMIN])
    refused = admin.post(
        reverse("measures:rules"), {"what": "step", "pk": step.pk, "days": "5", "test_days": "1,7"}
    )
    assert refused.status_code == 400 and "检测日不能超过管控天数。" in refused.content.decode()
    step.refresh_from_db()
    assert (step.days, step.test_days) == (7, [1, 2, 3, 5, 7])
    data = {"what": "step", "pk": step.pk, "days": "5", "test_days": "1，3、5"}
    assert admin.post(reverse("measures:rules"), data).status_code == 302
    step.refresh_from_db()
    assert (step.days, step.test_days) == (5, [1, 3, 5])
    first = case.measures.get(order=1)
    assert (first.end, first.test_days) == (D(2026, 12, 7), [1, 2, 3, 5, 7])
    later = push(org, name="王德贵", document="120113198003040012")
    assert [(m.start, m.end, m.test_days) for m in later.measures.order_by("order")][0] == (
        D(2026, 12, 1),
        D(2026, 12, 5),
        [1, 3, 5],
    )
