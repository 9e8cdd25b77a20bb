"""Every write to inspections."""

from .models import Inspection


def inspection_upsert(*, slug: str, subjects=(), **fields) -> Inspection:
    inspection, _ = Inspection.objects.update_or_create(slug=slug, defaults=fields)
    inspection.subjects.set(subjects)
    return inspection
