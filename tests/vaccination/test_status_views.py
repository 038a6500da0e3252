"""The vaccination status list (scoped, filtered, paged) and the bulk refresh command."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from fangyi.org.roles import Role
from fangyi.residents.models import Status
from fangyi.vaccination.domain import safety
from fangyi.vaccination.domain.doses import DoseInput, record_dose
from fangyi.vaccination.models import Reason, Screening, VaccinationState, VaccinationStatus, VaccineProduct
from tests.factories import make_resident

D = datetime.date


def product() -> VaccineProduct:
    return VaccineProduct.objects.get(name="众爱可维")


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=10)


@pytest.fixture
def people(org):
    """范芝奇 85 fully vaccinated; 王德贵 72 one dose; 李桂兰 65 never vaccinated (no status row);
    张建国 40 deferred; all in community A grid 1, and 赵秀珍 in community B."""
    fan = make_resident(org["a"], org["a1"], name="范芝奇", born=years_ago(85))
    record_dose(fan, DoseInput(product(), D(2021, 6, 1)), None)
    record_dose(fan, DoseInput(product(), D(2021, 6, 29)), None)
    wang = make_resident(org["a"], org["a1"], name="王德贵", born=years_ago(72))
    record_dose(wang, DoseInput(product(), D(2021, 6, 1)), None)
    make_resident(org["a"], org["a1"], name="李桂兰", born=years_ago(65))
    zhang = make_resident(org["a"], org["a1"], name="张建国", born=years_ago(40))
    until = timezone.localdate() + datetime.timedelta(days=7)
    safety.record_screening(zhang, Screening.DEFERRED, None, until=until, note="发热")
    make_resident(org["b"], org["b1"], name="赵秀珍", born=years_ago(70))


def names(client, **params) -> list[str]:
    return sorted(r.name for r in client.get("/vaccination/status/", params).context["page"])


@pytest.fixture
def worker(staff, client_for):
    return client_for(staff[Role.COMMUNITY_WORKER])


def test_the_list_holds_the_community_workers_residents(people, worker):
    assert names(worker) == ["张建国", "李桂兰", "王德贵", "范芝奇"]


def test_a_resident_without_a_stored_status_counts_as_unvaccinated(people, worker):
    assert names(worker, state="unvaccinated") == ["张建国", "李桂兰"]


def test_filter_by_state(people, worker):
    assert names(worker, state="partly") == ["王德贵"]


def test_filter_by_reason(people, worker):
    assert names(worker, reason="deferral") == ["张建国"]


def test_filter_by_no_reason(people, worker):
    assert names(worker, state="unvaccinated", reason="none") == ["李桂兰"]


def test_filter_by_age_band(people, worker):
    assert names(worker, age="70-79") == ["王德贵"]


def test_filter_sixty_and_over(people, worker):
    assert names(worker, age="60+") == ["李桂兰", "王德贵", "范芝奇"]


def test_filter_overdue(people, worker):
    # 王德贵's second dose was due within 8 weeks of the first, long ago.
    assert names(worker, overdue="on") == ["王德贵"]


def test_filter_by_grid(org, people, worker):
    make_resident(org["a"], org["a2"], name="孙明")
    assert names(worker, grid=org["a2"].pk) == ["孙明"]


def test_a_filter_for_another_community_still_shows_only_the_workers(org, people, worker):
    assert names(worker, community=org["b"].pk) == ["张建国", "李桂兰", "王德贵", "范芝奇"]


def test_the_subdistrict_is_offered_the_grids_of_the_chosen_community_only(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    offered = client.get("/vaccination/status/", {"community": org["b"].pk}).context["form"].fields["grid"]
    assert sorted(g.name for g in offered.queryset) == ["第一网格", "第二网格"]
    assert {g.community_id for g in offered.queryset} == {org["b"].pk}
    assert list(client.get("/vaccination/status/").context["form"].fields["grid"].queryset) == []


def test_the_list_shows_the_next_due_date(people, worker):
    content = worker.get("/vaccination/status/", {"state": "fully"}).content.decode()
    assert "下一剂 2021-12-29" in content


def test_the_list_answers_htmx_with_the_rows_alone(people, worker):
    response = worker.get("/vaccination/status/", headers={"HX-Request": "true"})
    assert response.templates[0].name == "vaccination/status_rows.html"


def test_a_driver_may_not_see_the_list(staff, client_for):
    assert client_for(staff[Role.DRIVER]).get("/vaccination/status/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_status_list_queries_do_not_grow(org, staff, client_for, django_assert_num_queries, count):
    for i in range(count):
        resident = make_resident(org["a"], org["a1"], name=f"居民{i}")
        if i:
            record_dose(resident, DoseInput(product(), D(2021, 6, 1)), None)
    client = client_for(staff[Role.COMMUNITY_WORKER])
    with django_assert_num_queries(6):
        client.get("/vaccination/status/")


# fangyi vaccination refresh


def test_refresh_computes_the_missing_statuses(org):
    make_resident(org["a"], org["a1"], name="李桂兰")
    out = io.StringIO()
    call_command("vaccination", "refresh", stdout=out)
    status = VaccinationStatus.objects.get()
    assert (out.getvalue().strip(), status.state) == (
        "已计算 1 人的接种状态。",
        VaccinationState.UNVACCINATED,
    )


def test_refresh_all_recomputes_the_overdue_flag_on_a_later_day(org):
    elder = make_resident(org["a"], org["a1"], name="王德贵", born=D(1950, 1, 1))
    record_dose(elder, DoseInput(product(), D(2022, 1, 1)), None)
    call_command("vaccination", "refresh", "--all", "--date", "2022-01-10", stdout=io.StringIO())
    before = VaccinationStatus.objects.get().overdue
    call_command("vaccination", "refresh", "--all", "--date", "2022-03-10", stdout=io.StringIO())
    assert (before, VaccinationStatus.objects.get().overdue) == (False, True)


def test_refresh_takes_the_register_status_as_the_reason(org):
    make_resident(org["a"], org["a1"], name="李桂兰", status=Status.DECEASED, status_since=D(2022, 1, 3))
    call_command("vaccination", "refresh", stdout=io.StringIO())
    assert VaccinationStatus.objects.get().reason == Reason.DECEASED


def test_refresh_gives_what_the_single_refresh_gives(org):
    elder = make_resident(org["a"], org["a1"], name="范芝奇", born=D(1932, 1, 5))
    record_dose(elder, DoseInput(product(), D(2021, 6, 1)), None)
    record_dose(elder, DoseInput(product(), D(2021, 6, 29)), None)
    single = VaccinationStatus.objects.values().get()
    VaccinationStatus.objects.all().delete()
    call_command("vaccination", "refresh", stdout=io.StringIO())
    bulk = VaccinationStatus.objects.values().get()
    single.pop("refreshed_at"), bulk.pop("refreshed_at")
    assert bulk == single


def test_refresh_refuses_a_bad_date(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="日期“24/01/2022”应写成 YYYY-MM-DD"):
        call_command("vaccination", "refresh", "--date", "24/01/2022", stdout=io.StringIO())
