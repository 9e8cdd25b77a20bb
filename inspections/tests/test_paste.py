"""The paste parser, on the real wording of the source documents and on sentences it must
not misread. Pure functions: no database."""

import datetime
from pathlib import Path

import pytest

from inspections.paste import (
    ALL_FORCES,
    AREA_FOR_IMPROVEMENT,
    CAUSE_OF_CONCERN,
    EACH_REGION,
    NAMED,
    NOT_RECORDED,
    RECOMMENDATION,
    DeadlineError,
    deadline_from_words,
    finding_key,
    findings_parse,
)

PUBLISHED_2015 = datetime.date(2015, 12, 1)
PUBLISHED_2021 = datetime.date(2021, 2, 10)
SOURCES = Path("/work/shared/source-documents")

FORCE_LEVEL_2015 = (
    "By 30 June 2016, every police force in England and Wales should publish an action plan "
    "that sets out in detail what steps it will take to make maximum use of the ROCU "
    "capabilities, minimise duplication at force level, and ensure that the use of shared "
    "ROCU resources are prioritised between regional forces."
)
SIO_LRO_2021 = (
    "By February 2022, chief officers responsible for SOC in each region, with the chief "
    "officers of the affected forces, should make sure that systems are in place for senior "
    "investigating officers (SIOs) and lead responsible officers (LROs) to work effectively "
    "together"
)
FUNDING_2021 = (
    "By February 2022, the Home Office should lead work with the NPCC and the Association of "
    "Police and Crime Commissioners (APCC) to identify a sustainable funding model for ROCUs"
)


def _one(text, published_on=PUBLISHED_2021):
    (finding,) = findings_parse(text, published_on=published_on)
    return finding


@pytest.mark.parametrize(
    ("words", "due", "precision"),
    [
        ("By 30 June 2016", datetime.date(2016, 6, 30), "day"),
        ("by 30th June 2016", datetime.date(2016, 6, 30), "day"),
        ("By February 2022", datetime.date(2022, 2, 28), "month"),
        ("By the end of February 2024", datetime.date(2024, 2, 29), "month"),
        ("Immediately", PUBLISHED_2021, "immediately"),
        ("Immediately (from 10 February 2021)", PUBLISHED_2021, "immediately"),
        ("Within six months of publication", datetime.date(2021, 8, 10), "day"),
        ("within 3 months of the publication of this report", datetime.date(2021, 5, 10), "day"),
        ("Within 12 weeks of publication", datetime.date(2021, 5, 5), "day"),
        ("2016-06-30", datetime.date(2016, 6, 30), "day"),
        ("2022-02", datetime.date(2022, 2, 28), "month"),
        ("30/06/2016", datetime.date(2016, 6, 30), "day"),
        ("", None, "none"),
        ("No deadline recorded", None, "none"),
    ],
)
def test_it_reads_deadlines_the_way_inspectorates_write_them(words, due, precision):
    assert deadline_from_words(words, published_on=PUBLISHED_2021) == (due, precision)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("31 February 2022", "31 February 2022 is not a date"),
        ("By spring 2022", "is not a month and year"),
        ("By the end of the year", "is not a deadline this can read"),
        ("2022-13-01", "is not a date"),
        ("Smarch 2022", "is not a month and year"),
    ],
)
def test_it_refuses_deadlines_it_cannot_read_rather_than_invent_one(words, message):
    with pytest.raises(DeadlineError, match=message):
        deadline_from_words(words, published_on=PUBLISHED_2021)


def test_it_needs_the_publication_date_for_immediately_and_within():
    for words in ("Immediately", "Within six months of publication"):
        with pytest.raises(DeadlineError, match="publication date"):
            deadline_from_words(words, published_on=None)


@pytest.mark.parametrize(
    ("text", "audience", "slugs", "as_written"),
    [
        (FORCE_LEVEL_2015, ALL_FORCES, [], "every police force in England and Wales"),
        (
            "By 31 March 2017, chief constables should review their use of the ROCU.",
            ALL_FORCES,
            [],
            "chief constables",
        ),
        (
            SIO_LRO_2021,
            EACH_REGION,
            [],
            "chief officers responsible for SOC in each region, with the chief officers of "
            "the affected forces",
        ),
        (
            "By February 2022, the chief officer responsible for SOC in each region should "
            "review the ROCU's tasking.",
            EACH_REGION,
            [],
            "the chief officer responsible for SOC in each region",
        ),
        (FUNDING_2021, NAMED, ["home-office", "npcc", "apcc"], "the Home Office"),
        (
            "By 30 June 2016, the NPCC lead for serious and organised crime should agree a "
            "national set of ROCU capabilities.",
            NAMED,
            ["npcc"],
            "the NPCC lead for serious and organised crime",
        ),
        (
            "Immediately, the National Crime Agency should share its tasking with ROCUs.",
            NAMED,
            ["nca"],
            "the National Crime Agency",
        ),
        (
            "By March 2017, the College of Policing should publish guidance for ROCUs.",
            NAMED,
            ["college-of-policing"],
            "the College of Policing",
        ),
    ],
)
def test_it_maps_the_addressees_it_recognises(text, audience, slugs, as_written):
    finding = _one(text)
    assert (finding.audience, finding.addressee_slugs, finding.addressees_as_written) == (
        audience,
        slugs,
        as_written,
    )


def test_it_marks_partners_in_the_work_as_guesses():
    finding = _one(FUNDING_2021)
    assert finding.addressee_guesses == ["npcc", "apcc"]
    assert any("added as a guess" in warning for warning in finding.warnings)


def test_it_reads_the_2015_force_level_recommendation_from_the_cambridgeshire_paper():
    text = (SOURCES / "2016-cambridgeshire-board-paper.txt").read_text()
    (finding,) = findings_parse(text, published_on=PUBLISHED_2015)
    assert finding.kind == RECOMMENDATION
    assert finding.deadline == datetime.date(2016, 6, 30)
    assert finding.deadline_precision == "day"
    assert finding.deadline_guess is False
    assert finding.audience == ALL_FORCES
    assert finding.text.startswith(FORCE_LEVEL_2015)
    # its list of how the plan is developed belongs to it, and nothing after it does
    assert finding.text.endswith(
        "with regard to the other recommendations contained in this report."
    )


def test_it_reads_the_three_2021_recommendations_from_the_devon_and_cornwall_response():
    text = (SOURCES / "2021-hmicfrs-rocu-inspection-devon-cornwall-response.txt").read_text()
    findings = findings_parse(text, published_on=PUBLISHED_2021)
    assert [(f.audience, f.deadline, f.deadline_precision) for f in findings] == [
        (EACH_REGION, datetime.date(2022, 2, 28), "month"),
        (EACH_REGION, datetime.date(2022, 2, 28), "month"),
        (NAMED, datetime.date(2022, 2, 28), "month"),
    ]
    assert findings[2].text.endswith("Enables ROCUs to lead the response to SOC in their region")


@pytest.mark.parametrize(
    "name",
    [
        "2015-hmic-rocu-review-news-summary.txt",
        "2015-hmic-rocu-review-press-release.txt",
        "2015-south-west-pcc-response.txt",
    ],
)
def test_it_reads_no_finding_from_documents_that_only_talk_about_recommendations(name):
    assert findings_parse((SOURCES / name).read_text(), published_on=PUBLISHED_2015) == []


def test_it_reads_numbered_findings_of_every_kind():
    text = """Summary of recommendations

Recommendation 1
By 30 June 2016, every police force in England and Wales should publish an action plan.

Recommendation 2: Immediately, the Home Office should confirm ROCU funding.

Cause of concern
The funding of ROCUs is not sustainable. This is a cause of concern.

Area for improvement 3
Forces should make better use of the regional asset recovery team.
"""
    findings = findings_parse(text, published_on=PUBLISHED_2021)
    assert [(f.kind, f.reference) for f in findings] == [
        (RECOMMENDATION, "1"),
        (RECOMMENDATION, "2"),
        (CAUSE_OF_CONCERN, ""),
        (AREA_FOR_IMPROVEMENT, "3"),
    ]
    assert findings[1].deadline == PUBLISHED_2021
    assert findings[1].deadline_precision == "immediately"
    assert findings[1].addressee_slugs == ["home-office"]
    assert findings[2].deadline is None
    assert [f.key for f in findings[:2]] == ["recommendation-1", "recommendation-2"]


def test_it_joins_lines_a_pdf_wrapped():
    text = (
        "Recommendation 4\nBy 30 June 2016, every police force\n"
        "in England and Wales should\npublish a plan."
    )
    finding = _one(text)
    assert (
        finding.text
        == "By 30 June 2016, every police force in England and Wales should publish a plan."
    )
    assert finding.audience == ALL_FORCES


def test_it_counts_within_six_months_from_publication_and_says_so():
    finding = _one("Within six months of publication, chief constables should review the ROCU.")
    assert finding.deadline == datetime.date(2021, 8, 10)
    assert finding.deadline_guess is True
    assert any("publication date" in warning for warning in finding.warnings)


def test_it_reads_a_deadline_later_in_the_sentence_as_a_guess():
    finding = _one("Recommendation 5: The Home Office should publish its review by 31 March 2017.")
    assert finding.deadline == datetime.date(2017, 3, 31)
    assert finding.deadline_guess is True


def test_it_records_no_deadline_and_warns_on_wording_it_cannot_read():
    finding = _one("Recommendation 6: By spring 2022, chief constables should review the ROCU.")
    assert (finding.deadline, finding.deadline_precision) == (None, "none")
    assert any("No deadline recorded" in warning for warning in finding.warnings)


def test_it_never_invents_31_february():
    finding = _one("Recommendation 7: By 31 February 2022, chief constables should act.")
    assert finding.deadline is None
    assert any("31 February 2022 is not a date" in warning for warning in finding.warnings)


@pytest.mark.parametrize(
    "text",
    [
        # recommendation mentioned in passing
        "I have formally written to HMICFRS particularly in respect of recommendation 1, with "
        "which I do not agree.",
        "Recommendation 1, with which the chief constable disagrees, is about legislation.",
        "The report makes seven recommendations, two of which apply to chief constables.",
        "Recommendations are not orders.",
        # a date in a sentence that is not a deadline
        "The report was published on 10th February 2021 and a response is due by 7th April 2021.",
        # should, but nobody's duty
        "- There is no effective national oversight framework capable of mandating what the "
        "ROCU network should do",
        "3. The 13 capabilities ROCUs should provide can be found at Annex A of the report.",
        # a headline
        "Regional Organised Crime Units should build on their strong foundations",
        # a board paper's own recommendation section
        "**2. Recommendation**\n\n2.1 The Board is invited to note the contents of the report.",
        "## 7. Recommendation\n\n- 7.1 The Board is invited to note the contents of the report.",
    ],
)
def test_it_reads_no_finding_from_sentences_it_must_not_misread(text):
    assert findings_parse(text, published_on=PUBLISHED_2021) == []


def test_it_ignores_every_force_inside_a_quotation_about_another_body():
    finding = _one(
        "Recommendation 8: By March 2017, the NCA should explain what it means by "
        "'every force' in its tasking guidance."
    )
    assert (finding.audience, finding.addressee_slugs) == (NAMED, ["nca"])
    quoted_subject = _one(
        'Recommendation 9: The Home Office said that "every force should publish a plan".'
    )
    assert quoted_subject.audience == NOT_RECORDED
    assert any("No addressee" in warning for warning in quoted_subject.warnings)


def test_it_warns_of_an_addressee_it_does_not_recognise():
    finding = _one("Recommendation 10: By March 2017, the Mayor should review the plan.")
    assert finding.audience == NOT_RECORDED
    assert any("not a body this recognises" in warning for warning in finding.warnings)


def test_it_warns_when_two_findings_would_save_as_one():
    findings = findings_parse(
        "Recommendation 1: Chief constables should act.\n\nRecommendation 1: The NCA should act.",
        published_on=PUBLISHED_2021,
    )
    assert any("Same kind and reference" in warning for warning in findings[1].warnings)


def test_it_makes_stable_keys():
    assert finding_key("recommendation", "3") == "recommendation-3"
    assert finding_key("cause_of_concern", "", "Funding: no clear model") == (
        "cause-of-concern-funding-no-clear-model"
    )
    assert finding_key("cause_of_concern", "", "Funding: no clear model") == finding_key(
        "cause_of_concern", "", "Funding: no clear model"
    )
