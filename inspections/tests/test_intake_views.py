"""The paste and import pages: a liaison of the inspectorate previews and saves; everyone
else is refused."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import Inspection
from recommendations.models import Finding

PASTE = """Summary of recommendations

Recommendation 1
By 30 June 2026, every police force in England and Wales should publish an action plan.

Recommendation 2
By February 2027, the Home Office should lead work with the NPCC to fund ROCUs.
"""
CSV_HEADER = "Kind of finding,Reference,Finding,Organisations (slugs),Inspectorate deadline\n"


def _urls(inspection):
    return [
        reverse("inspections:paste", args=[inspection.slug]),
        reverse("inspections:import", args=[inspection.slug]),
        reverse("inspections:import_template", args=[inspection.slug, "csv"]),
    ]


@pytest.mark.parametrize("outsider", ["cambs_editor", "board_member", "dc_editor"])
def test_it_refuses_everyone_but_a_liaison(client, draft, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    for url in _urls(draft):
        assert client.get(url).status_code in (403, 404), url
    response = client.post(_urls(draft)[0], {"text": PASTE})
    assert response.status_code in (403, 404)
    assert not draft.findings.exists()


def test_it_sends_the_signed_out_to_the_login_page(client, draft):
    for url in _urls(draft):
        assert client.get(url).status_code == 302


def test_it_previews_pasted_findings_as_guesses_and_saves_nothing(client, draft, liaison):
    client.force_login(liaison)
    response = client.post(_urls(draft)[0], {"text": PASTE, "read": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<li>Guessed from the text: check.</li>") == 2
    assert "2 findings read from the text" in page
    assert 'name="finding-0-deadline" value="2026-06-30"' in page
    assert not draft.findings.exists()


def _preview_post(response) -> dict:
    """The preview formset as the browser would submit it (initial values unchanged)."""
    formset = response.context["formset"]
    data = {"save": "1"}
    for name, value in formset.management_form.initial.items():
        data[f"finding-{name}"] = value
    for form in formset:
        for name in form.fields:
            value = form[name].value()
            if value in (None, False):
                continue
            if name == "addressees":
                data[form.add_prefix(name)] = list(value)
            elif name == "deadline":
                data[form.add_prefix(name)] = value.isoformat()
            else:
                data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_it_saves_the_checked_findings_and_saving_again_adds_nothing(client, draft, liaison):
    client.force_login(liaison)
    preview = client.post(_urls(draft)[0], {"text": PASTE, "read": "1"})
    data = _preview_post(preview)
    data["finding-1-reference"] = "2"
    response = client.post(_urls(draft)[0], data)
    assert response.status_code == 302
    findings = list(draft.findings.order_by("position"))
    assert [(f.key, f.audience, f.deadline) for f in findings] == [
        ("recommendation-1", Finding.Audience.ALL_FORCES, datetime.date(2026, 6, 30)),
        ("recommendation-2", Finding.Audience.NAMED, datetime.date(2027, 2, 28)),
    ]
    assert sorted(findings[1].addressees.values_list("slug", flat=True)) == ["home-office", "npcc"]
    client.post(_urls(draft)[0], data)
    assert draft.findings.count() == 2


def test_it_shows_a_correction_needed_in_the_error_summary(client, draft, liaison):
    client.force_login(liaison)
    data = _preview_post(client.post(_urls(draft)[0], {"text": PASTE, "read": "1"}))
    data["finding-0-deadline"] = ""
    response = client.post(_urls(draft)[0], data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert 'href="#id_finding-0-deadline"' in response.content.decode()
    assert not draft.findings.exists()


def test_it_says_when_it_reads_no_finding(client, draft, liaison):
    client.force_login(liaison)
    response = client.post(_urls(draft)[0], {"text": "The Board is invited to note the report."})
    assert "No findings were read from the text" in response.content.decode()


def _upload(text: str, name="findings.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_it_imports_a_file_only_after_the_liaison_confirms(client, draft, liaison):
    client.force_login(liaison)
    url = _urls(draft)[1]
    text = CSV_HEADER + "Recommendation,1,The Home Office should act.,home-office,By May 2027\n"
    response = client.post(url, {"file": _upload(text)})
    assert response.status_code == 200
    assert "The file is clean" in response.content.decode()
    assert not draft.findings.exists()
    token = response.context["token"]
    response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert draft.findings.get().key == "recommendation-1"
    # the check is used up
    assert client.post(url, {"token": token}).status_code == 302
    assert draft.findings.count() == 1


def test_it_lists_the_problems_of_a_file_by_row_and_column(client, draft, liaison):
    client.force_login(liaison)
    text = CSV_HEADER + "Recommendation,1,Act.,nowhere,31 February 2022\n"
    response = client.post(_urls(draft)[1], {"file": _upload(text)})
    page = response.content.decode()
    assert "Nothing was imported: the file has 2 problems" in page
    assert (
        "<td>2</td><td>Inspectorate deadline</td><td>31 February 2022 is not a date.</td>" in page
    )
    assert response.context["token"] is None
    assert not draft.findings.exists()


def test_it_refuses_a_file_that_is_not_a_spreadsheet(client, draft, liaison):
    client.force_login(liaison)
    response = client.post(_urls(draft)[1], {"file": _upload("x", name="notes.pdf")})
    assert "is not a CSV or XLSX file" in response.content.decode()


def test_it_refuses_a_file_over_the_upload_limit_plainly(client, draft, liaison, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(liaison)
    response = client.post(_urls(draft)[1], {"file": _upload(CSV_HEADER * 10)})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "the limit is" in page
    assert not draft.findings.exists()


def test_it_downloads_the_template_with_the_findings_recorded(client, reference_data, liaison):
    client.force_login(liaison)
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    response = client.get(reverse("inspections:import_template", args=[inspection.slug, "csv"]))
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Inspection,Kind of finding,Reference,Key,Finding")
    assert len(lines) == 1 + inspection.findings.count()
    xlsx = client.get(reverse("inspections:import_template", args=[inspection.slug, "xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    assert (
        client.get(
            reverse("inspections:import_template", args=[inspection.slug, "pdf"])
        ).status_code
        == 404
    )
