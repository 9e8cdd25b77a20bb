"""Celery tasks: thin, taking ids, each calling one service (safe to run twice: the
service claims the row first)."""

from celery import shared_task

from . import services


@shared_task(name="boards.render_paper_pdf")
def render_paper_pdf(pdf_id: str) -> bool:
    return services.paper_pdf_render(pdf_id=pdf_id)
