"""Celery tasks: thin, taking ids as JSON, each calling one service. All are safe to run
twice (acks_late re-delivers after a crash): the services claim the row before writing."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="dashboards.run_export_job")
def run_export_job(job_id: str) -> bool:
    return services.export_job_run(job_id=job_id)


@shared_task(name="dashboards.render_board_paper_pdf")
def render_board_paper_pdf(pdf_id: str) -> bool:
    return services.board_paper_pdf_render(pdf_id=pdf_id)


@shared_task(name="dashboards.expire_downloads")
def expire_downloads() -> dict:
    return services.downloads_expire(now=timezone.now())
