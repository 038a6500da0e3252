"""Pages: upload → check (preview) → confirm → result; error workbook; templates; exports."""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangyi.org.models import Staff
from fangyi.org.roles import Perm
from fangyi.sheets import jobs, progress, workbook
from fangyi.sheets.forms import UploadForm
from fangyi.sheets.kinds import Kind, get_kind, importable_kinds
from fangyi.sheets.models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ERRORS = 20


def _kind(request: HttpRequest, name: str, *, importing: bool) -> Kind:
    """The kind called `name` (404 if none), if the user may import (or export) it (else 403)."""
    try:
        kind = get_kind(name)
    except LookupError:
        raise Http404 from None
    if importing and kind.edit_perm is None:
        raise Http404  # an export-only kind
    if not request.user.can(kind.edit_perm if importing else kind.view_perm):  # type: ignore[union-attr]
        raise PermissionDenied
    return kind


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    _kind(request, job.kind, importing=True)
    return job


def _xlsx(handle: Any, filename: str) -> FileResponse:
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    kinds = [k for k in importable_kinds() if request.user.can(k.edit_perm)]  # type: ignore[union-attr]
    if not kinds:
        raise PermissionDenied
    qs = ImportJob.objects.visible_to(request.user).only(
        "id",
        "kind",
        "original_name",
        "state",
        "created_at",
        "summary",
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "sheets/jobs.html", {"page": page, "kinds": kinds})


@login_required
def import_start(request: HttpRequest, kind: str) -> HttpResponse:
    k = _kind(request, kind, importing=True)
    user = cast(Staff, request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        job = jobs.create(k.name, form.cleaned_data["file"], user, form.cleaned_data["community"])
        return redirect("sheets:job", pk=job.pk)
    return render(request, "sheets/upload.html", {"form": form, "kind": k})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    errors = job.result.get("errors", [])
    warnings = job.result.get("warnings", [])
    row_warnings = [w for w in warnings if w.get("row") is not None]
    notes = [w for w in warnings if w.get("row") is None]
    totals = job.result.get("totals", {})
    kind = get_kind(job.kind)
    lists = [
        {
            "label": sheet.label,
            "headers": [h for _key, h in sheet.columns],
            "rows": [[_shown(entry.get(key, "")) for key, _h in sheet.columns] for entry in job.result[name]],
            "total": job.result.get("totals", {}).get(name, len(job.result[name])),
        }
        for name, sheet in kind.lists.items()
        if job.result.get(name)
    ]
    return render(
        request,
        "sheets/job.html",
        {
            "job": job,
            "kind": kind,
            "lists": lists,
            "errors": errors[:PREVIEW_ERRORS],
            "more_errors": max(totals.get("errors", len(errors)) - PREVIEW_ERRORS, 0),
            "notes": notes,
            "warnings": row_warnings[:PREVIEW_ERRORS],
            "more_warnings": max(
                totals.get("warnings", len(warnings)) - len(notes) - len(row_warnings[:PREVIEW_ERRORS]), 0
            ),
            "progress": progress.read(job.pk),
        },
    )


def _shown(value: Any) -> str:
    return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx every second; once the job has moved on, the
    page reloads itself to show the preview or the result."""
    job = _job(request, pk)
    response = render(request, "sheets/_progress.html", {"job": job, "progress": progress.read(job.pk)})
    if not job.running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not jobs.confirm(job):
        messages.info(request, _("这个文件已经导入或正在导入。"))
    return redirect("sheets:job", pk=job.pk)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run an interrupted job again from its stored file."""
    job = _job(request, pk)
    if not jobs.retry(job):
        messages.info(request, _("这个文件没有中断，不需要重试。"))
    return redirect("sheets:job", pk=job.pk)


@login_required
def job_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The rows of the upload that were not imported, and those imported with a value left
    out (提示), to fix and import again: the workbook written when the job ran."""
    job = _job(request, pk)
    if not job.errors_file:
        raise Http404
    stem = job.original_name.rsplit(".", 1)[0]
    name = _("%(name)s-未导入的行.xlsx") if job.summary.get("rejected") else _("%(name)s-需核对的行.xlsx")
    return FileResponse(
        job.errors_file.open("rb"), as_attachment=True, filename=name % {"name": stem}, content_type=XLSX
    )


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponseBase:
    k = _kind(request, kind, importing=True)
    handle = tempfile.TemporaryFile()
    workbook.template(k, handle)
    return _xlsx(handle, _("%(kind)s导入模板.xlsx") % {"kind": k.label})


@login_required
def export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """The list page's rows (its filters, the user's scope) as .xlsx; ID numbers and
    phones masked unless the user's role sees them in lists."""
    k = _kind(request, kind, importing=False)
    handle = tempfile.TemporaryFile()
    unmasked = request.user.can(Perm.UNMASKED_LISTS)  # type: ignore[union-attr]
    workbook.export(k, k.export(cast(Staff, request.user), request=request), unmasked, handle)
    name = _("%(kind)s-%(day)s.xlsx") % {"kind": k.label, "day": timezone.localdate().strftime("%Y%m%d")}
    return _xlsx(handle, name)
