"""`fangyi demo`: the demo subdistrict, its accounts and its synthetic register (the drive's
history is tested in test_drive.py)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from fangyi.demo import idnumbers
from fangyi.demo import org as demo
from fangyi.org.models import Community, Staff
from fangyi.org.roles import Role
from fangyi.residents import documents, phone
from fangyi.residents.documents import DocumentType
from fangyi.residents.models import Household, Resident, TimelineEntry, TimelineKind

DATE = datetime.date(2021, 12, 27)  # the day after the report's 102/104/106


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # Argon2 costs half a second a password; the demo sets ten of them per run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str) -> dict:
    out = io.StringIO()
    call_command("demo", *args, "--date", DATE.isoformat(), "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def age_on_reference(resident: Resident) -> int:
    return resident.age_on(demo.reference_date(DATE))


@pytest.fixture
def demo_300(vaccine_presets) -> dict:
    return run_demo("--residents", "300")


def test_demo_has_23_communities_including_those_of_the_report(demo_300):
    names = set(Community.objects.filter(subdistrict__name="普东街").values_list("name", flat=True))
    assert len(names) == 23
    assert {"万达新城", "宸宜家园", "万科新城"} <= names


def test_every_community_has_3_to_6_grids(demo_300):
    counts = [c.grids.count() for c in Community.objects.all()]
    assert min(counts) >= 3
    assert max(counts) <= 6


def test_demo_registers_exactly_the_residents_asked_for(demo_300):
    assert demo_300["residents"] == 300
    assert Resident.objects.count() == 300


def test_every_resident_has_one_registered_timeline_entry(demo_300):
    registered = TimelineEntry.objects.filter(kind=TimelineKind.REGISTERED, summary="登记入册")
    assert registered.count() == 300
    assert registered.values("resident").distinct().count() == 300


def test_every_id_number_has_a_valid_check_character_and_matches_birth_date_and_sex(demo_300):
    id_cards = Resident.objects.filter(document_type=DocumentType.ID_CARD)
    for number, born, sex in id_cards.values_list("id_number", "birth_date", "sex"):
        assert number[17] == ric.calc_check_digit(number)
        assert ric.get_birth_date(number) == born
        assert sex == ("M" if int(number[16]) % 2 else "F")


def test_every_demo_document_number_passes_the_registers_check(demo_300):
    """Old county codes for people born before the code existed, residence permits and
    foreign documents: the demo holds them, as real registers do, and the register
    accepts every one of them as stored."""
    refused = []
    for document_type, number in Resident.objects.values_list("document_type", "id_number"):
        try:
            assert documents.check(document_type, number).number == number
        except Exception as exc:
            refused.append((document_type, number, str(exc)))
    assert refused == []


def test_a_few_residents_hold_foreign_documents(demo_300):
    types = set(
        Resident.objects.exclude(document_type=DocumentType.ID_CARD).values_list("document_type", flat=True)
    )
    assert (len(types) >= 1, DocumentType.ID_CARD in types) == (True, False)
    assert Resident.objects.exclude(document_type=DocumentType.ID_CARD).count() == 2


def test_id_numbers_are_in_a_real_mix(vaccine_presets):
    run_demo("--residents", "2000")
    regions = [n[:6] for n in Resident.objects.values_list("id_number", flat=True)]
    beichen = regions.count(idnumbers.BEICHEN)
    assert 0.6 < beichen / len(regions) < 0.9
    assert {r for r in regions if r in {county for county, _district in idnumbers.FORMER_COUNTIES}}
    assert set(regions) & set(idnumbers.TIANJIN_DISTRICTS)
    assert set(regions) & set(idnumbers.OTHER_PROVINCES)
    assert set(regions) >= set(idnumbers.RESIDENCE_PERMITS)  # three among the first 300 people


def test_old_county_codes_only_for_people_born_while_the_county_existed(vaccine_presets):
    run_demo("--residents", "2000")
    for county, district in idnumbers.FORMER_COUNTIES:
        for number in Resident.objects.filter(id_number__startswith=county).values_list(
            "id_number", flat=True
        ):
            assert not idnumbers.known(district, int(number[6:10]))


def test_some_elderly_people_have_a_landline_and_every_phone_is_valid(vaccine_presets):
    run_demo("--residents", "2000")
    phones = list(Resident.objects.exclude(phone="").values_list("phone", flat=True))
    landlines = [p for p in phones if p.startswith("022-")]
    assert landlines
    assert all(len(p) == 12 for p in landlines)
    assert [p for p in phones if phone.normalise(p) != p] == []


def test_every_household_has_its_head_and_one_address(demo_300):
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        assert household.head.relation_to_head == "户主"
        assert household.head in members
        assert len(members) <= 5
        addresses = {(m.community_id, m.grid_id, m.building, m.building_unit, m.room) for m in members}
        assert len(addresses) == 1


def test_the_residents_of_the_report_are_there(demo_300):
    fan = Resident.objects.get(name="范芝奇")
    assert (age_on_reference(fan), fan.sex, fan.community.name) == (90, "M", "万达新城")
    assert fan.party_member
    assert fan.mobility == "needs_help"
    wang = Resident.objects.get(name="王德贵")
    assert (age_on_reference(wang), wang.sex, wang.community.name) == (95, "M", "宸宜家园")
    assert wang.party_member
    assert demo.reference_date(DATE).year - wang.party_joined_year > 70


def test_one_account_per_role_and_each_can_log_in(demo_300, client):
    accounts = {a["role"]: a for a in demo_300["accounts"]}
    assert set(accounts) == set(Role.values)
    for account in accounts.values():
        response = client.post("/login/", {"username": account["username"], "password": account["password"]})
        assert response.status_code == 302, account["username"]
        client.logout()


def test_accounts_are_posted_as_the_report_says(demo_300):
    grid_worker = Staff.objects.get(username="demo_grid")
    assert (grid_worker.community.name, grid_worker.grid.name) == ("万科新城", "第一网格")
    cadre = Staff.objects.get(username="demo_cadre")
    assert (cadre.community.name, cadre.unit.name) == ("万达新城", "区人民法院")
    assert Staff.objects.get(username="demo_doctor").site.kind == "health_center"


def test_share_aged_60_and_over_is_realistic(vaccine_presets):
    run_demo("--residents", "2000")
    ref = demo.reference_date(DATE)
    ages = [r.age_on(ref) for r in Resident.objects.only("birth_date")]
    assert 0.18 <= sum(a >= 60 for a in ages) / len(ages) <= 0.26
    assert any(a >= 90 for a in ages)


def test_same_seed_gives_the_same_people(vaccine_presets):
    run_demo("--residents", "300", "--seed", "7")
    first = sorted(Resident.objects.values_list("id_number", "name"))
    run_demo("--residents", "300", "--seed", "7", "--reset")
    assert sorted(Resident.objects.values_list("id_number", "name")) == first


def test_another_seed_gives_other_people(vaccine_presets):
    run_demo("--residents", "300", "--seed", "7")
    first = set(Resident.objects.values_list("id_number", flat=True))
    run_demo("--residents", "300", "--seed", "8", "--reset")
    assert set(Resident.objects.values_list("id_number", flat=True)) != first


def test_rerun_without_reset_adds_nothing_but_renews_passwords(demo_300, client):
    counts = (
        Resident.objects.count(),
        Household.objects.count(),
        TimelineEntry.objects.count(),
        Community.objects.count(),
        Staff.objects.count(),
    )
    again = run_demo("--residents", "500")
    assert again["generated"] == 0
    assert again["residents"] == 300
    assert (
        Resident.objects.count(),
        Household.objects.count(),
        TimelineEntry.objects.count(),
        Community.objects.count(),
        Staff.objects.count(),
    ) == counts
    old = {a["username"]: a["password"] for a in demo_300["accounts"]}
    new = {a["username"]: a["password"] for a in again["accounts"]}
    assert old["demo_staff"] != new["demo_staff"]
    response = client.post("/login/", {"username": "demo_staff", "password": new["demo_staff"]})
    assert response.status_code == 302


def test_zero_residents_builds_the_organisation_only(db):
    result = run_demo("--residents", "0")
    assert result["residents"] == 0
    assert Resident.objects.count() == 0
    assert Community.objects.count() == 23


def test_table_lists_username_role_and_password(db):
    out = io.StringIO()
    call_command("demo", "--residents", "0", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    grid_line = next(line for line in lines if line.startswith("demo_grid "))
    assert "网格员" in grid_line
    assert len(grid_line.split()[2]) == 16  # token_urlsafe(12)


def test_org_show_json_after_demo(demo_300):
    out = io.StringIO()
    call_command("org", "show", "--json", stdout=out)
    tree = json.loads(out.getvalue())
    assert (tree["name"], tree["district"], tree["city"]) == ("普东街", "北辰区", "天津市")
    assert len(tree["communities"]) == 23
    assert all(3 <= len(c["grids"]) <= 6 for c in tree["communities"])
    first = tree["communities"][0]
    assert first["name"] == "万达新城"
    assert {g["name"] for g in first["grids"]} == {
        demo.grid_name(n) for n in range(1, len(first["grids"]) + 1)
    }
    assert {"name": "普东街社区卫生服务中心", "kind": "health_center"} in tree["sites"]
    assert any(s["kind"] == "vaccination_site" for s in tree["sites"])
    assert {u["name"] for u in tree["units"]} == {"区科技局", "区文旅局", "区残联", "区人民法院", "区水务局"}


def test_reference_date_is_new_year_of_the_demo_year():
    assert demo.reference_date(datetime.date(2026, 11, 29)) == datetime.date(2026, 1, 1)


def test_demo_accounts_are_people_not_their_roles():
    """The header shows "name · role" and route teams list people: no "网格员 · 网格员"."""
    roles = {str(role.label) for role in Role}
    named_after_work = [
        a.username
        for a in demo.ACCOUNTS
        if a.display_name in roles or a.display_name.endswith(("人员", "医生", "干部", "服务队", "领导"))
    ]
    assert (named_after_work, len({a.display_name for a in demo.ACCOUNTS})) == ([], len(demo.ACCOUNTS))
