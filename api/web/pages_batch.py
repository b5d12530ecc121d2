"""Batch: upload a CSV, watch it run, download the results as CSV or JSONL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from api.web.batch import MAX_ROWS, BatchJobs, parse_upload
from api.web.config import PREFIX
from api.web.headers import PAGE_HEADERS
from api.web.security import Checked, User, redirect
from api.web.templating import render
from screening.errors import ScreeningError

router = APIRouter(prefix=PREFIX, include_in_schema=False)
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
MAX_UPLOAD = 4 << 20


def _jobs(request: Request) -> BatchJobs:
    jobs: BatchJobs = request.app.state.web_batches
    return jobs


@router.get("/batch")
def batch_form(request: Request, user: User) -> Response:
    return render(
        request, "batch.html", user=user, jobs=_jobs(request).of(user.actor), max_rows=MAX_ROWS
    )


@router.post("/batch")
async def batch_upload(request: Request, checked: Checked) -> Response:
    user, form = checked
    upload = form.get("file")
    error = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = "Choose a CSV file to upload."
    else:
        data = await upload.read(MAX_UPLOAD + 1)
        try:
            rows = parse_upload(data)
        except ScreeningError as exc:
            error = f"{upload.filename}: {exc.detail}"
    if error is not None:
        return render(
            request,
            "batch.html",
            user=user,
            jobs=_jobs(request).of(user.actor),
            max_rows=MAX_ROWS,
            error=error,
            status=422,
        )
    request_id = request.scope.get("state", {}).get("request_id")
    assert isinstance(upload, UploadFile)
    job_id = _jobs(request).start(user.actor, upload.filename or "upload.csv", rows, request_id)
    return redirect(f"{PREFIX}/batch/{job_id}")


@router.get("/batch/{job_id}")
def batch_job(request: Request, user: User, job_id: JobId) -> Response:
    job = _jobs(request).get(job_id, user.actor, admin=user.role == "admin")
    if job is None:
        return render(request, "not_found.html", user=user, error="no such batch", status=404)
    return render(request, "batch_job.html", user=user, job=job)


@router.get("/batch/{job_id}/status")
def batch_status(request: Request, user: User, job_id: JobId) -> JSONResponse:
    job = _jobs(request).get(job_id, user.actor, admin=user.role == "admin")
    if job is None:
        return JSONResponse({"state": "unknown"}, status_code=404, headers=PAGE_HEADERS)
    return JSONResponse(
        {"state": job.state, "done": job.done, "total": job.total, "errors": job.errors,
         **job.counts},
        headers=PAGE_HEADERS,
    )  # fmt: skip


@router.get("/batch/{job_id}/results.{fmt}")
def batch_results(request: Request, user: User, job_id: JobId, fmt: str) -> Response:
    job = _jobs(request).get(job_id, user.actor, admin=user.role == "admin")
    if job is None or fmt not in ("csv", "jsonl"):
        return render(request, "not_found.html", user=user, error="no such result", status=404)
    if job.state != "finished":
        return render(
            request, "batch_job.html", user=user, job=job, error="Not finished yet.", status=409
        )
    jobs = _jobs(request)
    body = jobs.csv_text(job.id) if fmt == "csv" else jobs.jsonl_text(job.id)
    media = "text/csv" if fmt == "csv" else "application/x-ndjson"
    stem = (job.filename.rsplit(".", 1)[0] or "batch").encode("ascii", "ignore").decode()
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80] or "batch"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": f'attachment; filename="{safe}-screened.{fmt}"',
        },
    )
