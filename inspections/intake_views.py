"""The liaison's two ways of entering many findings at once: pasting the report's text, and
importing a spreadsheet. Both preview what they would save, and save nothing until the
liaison confirms."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from . import access, spreadsheet_import
from .intake_forms import (
    ImportConfirmForm,
    ImportForm,
    PastedFindingForm,
    PastedFindingFormSet,
    PasteForm,
)
from .models import Inspection
from .paste import findings_parse

# A checked file waits here for the liaison's confirmation (the default storage, shared by
# every web process, as evidence is); the session says whose it is.
PENDING = "inspection-imports/{token}"
SESSION_KEY = "inspection_imports"


def _inspection_for_editing(user, slug: str) -> Inspection:
    """The inspection if the user may enter its findings; another's is a 404."""
    inspection = get_object_or_404(Inspection.objects.select_related("inspectorate"), slug=slug)
    if not access.can_edit_inspection(user, inspection):
        raise PermissionDenied("Only a liaison of its inspectorate enters this report's findings.")
    return inspection


@login_required
def findings_paste(request, slug: str):
    inspection = _inspection_for_editing(request.user, slug)
    form, formset = PasteForm(), None
    if request.method == "POST" and "save" in request.POST:
        formset = PastedFindingFormSet(request.POST, prefix="finding")
        if formset.is_valid():
            saved = spreadsheet_import.findings_paste_save(
                inspection=inspection, findings=formset.included(), by=request.user
            )
            messages.success(request, f"{len(saved)} findings saved.")
            return redirect(inspection)
    elif request.method == "POST":
        form = PasteForm(request.POST)
        if form.is_valid():
            parsed = findings_parse(form.cleaned_data["text"], published_on=inspection.published_on)
            formset = PastedFindingFormSet(
                prefix="finding", initial=[PastedFindingForm.initial_from(f) for f in parsed]
            )
    return render(
        request,
        "inspections/paste_findings.html",
        {"inspection": inspection, "form": form, "formset": formset},
    )


@login_required
def findings_import(request, slug: str):
    inspection = _inspection_for_editing(request.user, slug)
    form, check, token = ImportForm(), None, None
    if request.method == "POST" and "token" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        data = _pending_read(request, inspection, confirm)
        if data is None:
            messages.error(request, "That check has expired: choose the file again.")
            return redirect("inspections:import", slug=slug)
        check = spreadsheet_import.import_check(inspection=inspection, data=data, filename="")
        if check.is_clean:
            counts = spreadsheet_import.findings_import(
                inspection=inspection, check=check, by=request.user
            )
            _pending_forget(request, confirm.cleaned_data["token"])
            messages.success(request, _imported_sentence(counts))
            return redirect(inspection)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            check = spreadsheet_import.import_check(
                inspection=inspection, data=data, filename=upload.name
            )
            if check.is_clean:
                token = _pending_keep(request, inspection, data)
    return render(
        request,
        "inspections/import_findings.html",
        {"inspection": inspection, "form": form, "check": check, "token": token},
    )


@require_GET
@login_required
def findings_import_template(request, slug: str, extension: str):
    """The import's columns, with the inspection's findings as they are: the template and
    the export in one, so an export imports back unchanged."""
    if extension not in ("csv", "xlsx"):
        raise Http404("The template comes as .csv or .xlsx.")
    inspection = _inspection_for_editing(request.user, slug)
    name = f"{inspection.slug}-findings.{extension}"
    if extension == "xlsx":
        response = HttpResponse(
            spreadsheet_import.export_xlsx(inspection),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(spreadsheet_import.export_csv(inspection), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _imported_sentence(counts: dict[str, int]) -> str:
    return (
        f"Imported: {counts['new']} new, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged findings."
    )


def _pending_keep(request, inspection, data: bytes) -> str:
    token = secrets.token_urlsafe(24)
    default_storage.save(PENDING.format(token=token), ContentFile(data))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = inspection.pk
    request.session[SESSION_KEY] = pending
    return token


def _pending_read(request, inspection, confirm: ImportConfirmForm) -> bytes | None:
    if not confirm.is_valid():
        return None
    token = confirm.cleaned_data["token"]
    if request.session.get(SESSION_KEY, {}).get(token) != inspection.pk:
        return None
    try:
        with default_storage.open(PENDING.format(token=token)) as file:
            return file.read()
    except (FileNotFoundError, OSError):
        return None


def _pending_forget(request, token: str) -> None:
    default_storage.delete(PENDING.format(token=token))
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
