from django.core.files.uploadedfile import SimpleUploadedFile

from recommendations import services as item_services
from recommendations.models import TrackedItem


def propose_complete(item: TrackedItem, *, by, narrative="The action plan is published"):
    """A change after the last paper, through the services as an editor makes it."""
    item.refresh_from_db()
    return item_services.progress_update_add(
        item=item,
        by=by,
        expected_version=item.version,
        status=TrackedItem.Status.PROPOSED_COMPLETE,
        narrative=narrative,
        evidence_files=[
            SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
        ],
    )
