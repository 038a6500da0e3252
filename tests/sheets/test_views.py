"""The pages: upload → preview → confirm → result, progress, downloads and exports."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from python_calamine import CalamineWorkbook

from fangyi.org.roles import Role
from fangyi.residents.models import Resident
from fangyi.sheets.models import ImportJob, JobState
from tests.factories import make_resident
from tests.sheets.conftest import ROSTER

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EDITORS = {
    Role.SUBDISTRICT_ADMIN,
    Role.SUBDISTRICT_STAFF,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
}
READERS = EDITORS | {Role.LEADER, Role.SECONDED_CADRE, Role.MEDICAL_STAFF}


def upload(client, path=ROSTER, **data):
    with open(path, "rb") as fh:
        return client.post("/sheets/import/residents/", {"file": fh, **data})


def rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_upload_shows_the_preview_without_writing(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    response = upload(client, community=org["b"].pk)
    job = ImportJob.objects.get()
    assert response.url == f"/sheets/imports/{job.pk}/"
    page = client.get(response.url)
    assert job.state == JobState.CHECKED
    assert job.counts == {
        "rows": 60,
        "created": 50,
        "updated": 0,
        "unchanged": 0,
        "skipped_blank": 3,
        "rejected": 10,
    }
    assert "确认导入（新增 50，更新 0）" in page.content.decode()
    assert [e["row"] for e in page.context["errors"]][:3] == [6, 15, 21]
    assert Resident.objects.count() == 0


def test_confirm_imports_and_shows_the_result(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    job_url = upload(client, community=org["b"].pk).url
    job = ImportJob.objects.get()
    response = client.post(f"/sheets/imports/{job.pk}/confirm/")
    assert response.url == job_url
    job.refresh_from_db()
    assert (job.state, job.counts["created"]) == (JobState.DONE, 50)
    assert Resident.objects.filter(community=org["b"]).count() == 50
    assert "导入完成" in client.get(job_url).content.decode()


def test_confirming_twice_imports_once(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    upload(client)
    job = ImportJob.objects.get()
    client.post(f"/sheets/imports/{job.pk}/confirm/")
    client.post(f"/sheets/imports/{job.pk}/confirm/")
    assert Resident.objects.count() == 50


def test_unusable_file_shows_the_reason_and_keeps_no_file(org, staff, client_for, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"%PDF-1.4 fake")
    client = client_for(staff[Role.COMMUNITY_WORKER])
    page = client.get(upload(client, path).url)
    job = ImportJob.objects.get()
    assert (job.state, job.file.name) == (JobState.FAILED, "")
    assert "这是PDF文件，不是表格。" in page.content.decode()


@override_settings(TASKS=IMMEDIATE, FANGYI_IMPORT_INLINE_BYTES=1000)
def test_large_file_is_checked_and_imported_by_the_background_task(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    upload(client)
    job = ImportJob.objects.get()
    assert (job.background, job.state) == (True, JobState.CHECKED)
    client.post(f"/sheets/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert (job.state, job.counts["created"]) == (JobState.DONE, 50)


@override_settings(FANGYI_IMPORT_INLINE_BYTES=1000)
def test_queued_job_polls_its_progress_and_reloads_when_done(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    upload(client)  # the database backend queues it; no worker runs in the tests
    job = ImportJob.objects.get()
    assert job.state == JobState.CHECK_QUEUED
    page = client.get(f"/sheets/imports/{job.pk}/").content.decode()
    assert f'hx-get="/sheets/imports/{job.pk}/progress/" hx-trigger="every 1s"' in page
    assert "HX-Refresh" not in client.get(f"/sheets/imports/{job.pk}/progress/").headers
    from fangyi.sheets import jobs

    jobs.check(job.pk)  # what the worker does
    assert client.get(f"/sheets/imports/{job.pk}/progress/").headers["HX-Refresh"] == "true"


def test_error_workbook_has_the_original_columns_and_a_reason(org, staff, client_for):
    client = client_for(staff[Role.SUBDISTRICT_STAFF])
    upload(client)
    job = ImportJob.objects.get()
    rows = rows_of(client.get(f"/sheets/imports/{job.pk}/errors.xlsx"))
    assert rows[0] == [
        "序号",
        "姓名",
        "性别",
        "身份证号码",
        "年龄",
        "联系电话",
        "楼栋",
        "单元",
        "门牌号",
        "是否接种",
        "备注",
        "行号",
        "原因",
    ]
    assert [r[1] for r in rows[1:4]] == ["邹德兰", "顾德福", "叶树"]
    assert rows[1][-1] == "身份证号码：身份证号校验位不正确，请核对。"
    assert len(rows) == 11


def test_another_users_job_is_404(org, staff, client_for):
    upload(client_for(staff[Role.SUBDISTRICT_STAFF]))
    job = ImportJob.objects.get()
    client = client_for(staff[Role.COMMUNITY_WORKER])
    for url in ("", "progress/", "errors.xlsx"):
        assert client.get(f"/sheets/imports/{job.pk}/{url}").status_code == 404
    assert client.post(f"/sheets/imports/{job.pk}/confirm/").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_import_pages_are_for_editors_only(org, staff, client_for, role):
    client = client_for(staff[role])
    expected = 200 if role in EDITORS else 403
    assert client.get("/sheets/import/residents/").status_code == expected
    assert client.get("/sheets/templates/residents.xlsx").status_code == expected
    # Medical staff import the health center's doses, the volunteer coordinator volunteers,
    # shifts and donations: they have import jobs too.
    jobs_expected = 200 if role in EDITORS | {Role.MEDICAL_STAFF, Role.VOLUNTEER_COORDINATOR} else 403
    assert client.get("/sheets/").status_code == jobs_expected


@pytest.mark.parametrize("role", list(Role))
def test_export_is_for_readers(org, staff, client_for, role):
    expected = 200 if role in READERS else 403
    assert client_for(staff[role]).get("/sheets/export/residents.xlsx").status_code == expected


def test_anonymous_is_sent_to_login(client):
    for url in ("/sheets/", "/sheets/import/residents/", "/sheets/export/residents.xlsx"):
        assert client.get(url).url.startswith("/login/")


def test_unknown_kind_is_404(org, staff, client_for):
    assert client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/sheets/import/nonexistent/").status_code == 404


def test_template_has_the_header_and_an_example_row(org, staff, client_for):
    rows = rows_of(client_for(staff[Role.COMMUNITY_WORKER]).get("/sheets/templates/residents.xlsx"))
    assert rows[0][:5] == ["姓名", "证件类型", "证件号码", "性别", "出生日期"]
    assert rows[1][:3] == ["范芝奇", "居民身份证", "120113193205061234"]


def _residents(org):
    return (
        make_resident(org["a"], org["a1"], name="范芝奇", phone="13812345678"),
        make_resident(org["a"], org["a2"], name="王德贵", phone="13912345678"),
        make_resident(org["b"], org["b1"], name="李秀英", phone="13712345678"),
    )


def test_export_of_a_grid_worker_has_only_their_grid_unmasked(org, staff, client_for):
    fan, _wang, _li = _residents(org)
    rows = rows_of(client_for(staff[Role.GRID_WORKER]).get("/sheets/export/residents.xlsx"))
    assert [r[:3] for r in rows[1:]] == [["范芝奇", "居民身份证", fan.id_number]]
    assert rows[1][6] == "13812345678"


def test_export_of_subdistrict_admin_is_masked_and_has_everyone(org, staff, client_for):
    fan, _wang, _li = _residents(org)
    rows = rows_of(client_for(staff[Role.SUBDISTRICT_ADMIN]).get("/sheets/export/residents.xlsx"))
    assert sorted(r[0] for r in rows[1:]) == sorted(["范芝奇", "王德贵", "李秀英"])
    fan_row = next(r for r in rows if r[0] == "范芝奇")
    # No birth date beside the masked number (it is the hidden part): the age only.
    assert rows[0][:6] == ["姓名", "证件类型", "证件号码", "性别", "年龄", "联系电话"]
    assert (fan_row[2], fan_row[5]) == (fan.id_number[:6] + "********" + fan.id_number[-4:], "138****5678")


def test_export_honours_the_list_filters(org, staff, client_for):
    _residents(org)
    client = client_for(staff[Role.COMMUNITY_SECRETARY])
    rows = rows_of(client.get(f"/sheets/export/residents.xlsx?grid={org['a2'].pk}"))
    assert [r[0] for r in rows[1:]] == ["王德贵"]


def test_export_link_follows_the_filters_out_of_band(org, staff, client_for):
    page = client_for(staff[Role.COMMUNITY_SECRETARY]).post(
        "/residents/", {"grid": org["a2"].pk}, headers={"HX-Request": "true"}
    )
    link = f'id="export-link" href="/sheets/export/residents.xlsx?grid={org["a2"].pk}" hx-swap-oob="true"'
    assert link in page.content.decode()


def test_resident_list_offers_export_and_import(org, staff, client_for):
    page = client_for(staff[Role.COMMUNITY_WORKER]).get("/residents/?status=living_here").content.decode()
    assert 'href="/sheets/export/residents.xlsx?status=living_here"' in page
    assert 'href="/sheets/import/residents/"' in page


@pytest.mark.parametrize("count", [1, 3])
def test_export_queries_do_not_grow_with_rows(org, staff, client_for, django_assert_num_queries, count):
    for i in range(count):
        make_resident(org["a"], org["a1"], name=f"居民{'甲乙丙'[i]}")
    client = client_for(staff[Role.COMMUNITY_WORKER])
    with django_assert_num_queries(3):
        response = client.get("/sheets/export/residents.xlsx")
        assert len(rows_of(response)) == count + 1


@pytest.mark.parametrize("count", [1, 3])
def test_job_list_queries_do_not_grow_with_jobs(org, staff, client_for, django_assert_num_queries, count):
    user = staff[Role.COMMUNITY_WORKER]
    for i in range(count):
        ImportJob.objects.create(
            kind="residents",
            original_name=f"{i}.xlsx",
            created_by=user,
            state=JobState.DONE,
            summary={"created": i},
        )
    client = client_for(user)
    with django_assert_num_queries(4):
        page = client.get("/sheets/")
    assert len(page.context["page"]) == count
