"""Reading findings out of a report's pasted text: pure functions, deterministic rules.

A liaison pastes the report's "summary of recommendations" (or any list of findings); the
parser returns what it reads as ParsedFinding values, each guess marked as one, for a person
to check before anything is saved (inspections/intake_views.py). It never invents a date:
wording it cannot read gives no deadline and a warning.

What it reads:
- numbering: a line beginning "Recommendation 3", "Cause of concern", "Accelerated cause of
  concern", "Area for improvement 2", "Innovative practice" starts a finding; so does a list
  item or paragraph that begins with a deadline ("By 30 June 2016, ...") or with a body it
  knows ("The Home Office should ...") and says what someone "should" do;
- deadlines the way inspectorates write them: "By 30 June 2016" (a day), "By February 2022"
  (a month, due on its last day), "Immediately" (due on publication), "Within six months of
  publication" (counted from the publication date passed in), or none;
- addressees: the words before "should" (outside any quotation), mapped to an audience
  (every force, each region) or to organisations by their reference-data slug.
"""

import dataclasses
import datetime
import re

from django.utils.text import slugify

from rocu_tracker import deadlines

RECOMMENDATION = "recommendation"
CAUSE_OF_CONCERN = "cause_of_concern"
ACCELERATED_CAUSE_OF_CONCERN = "accelerated_cause_of_concern"
AREA_FOR_IMPROVEMENT = "area_for_improvement"
INNOVATIVE_PRACTICE = "innovative_practice"

ALL_FORCES = "all_forces"
EACH_REGION = "each_region"
NAMED = "named"
NOT_RECORDED = "not_recorded"

GUESS = "Guessed from the text: check"

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
MONTHS["sept"] = 9
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
}


@dataclasses.dataclass
class ParsedFinding:
    kind: str
    reference: str
    text: str
    deadline: datetime.date | None = None
    deadline_precision: str = deadlines.Precision.NONE.value
    deadline_guess: bool = False
    deadline_as_written: str = ""
    addressees_as_written: str = ""
    audience: str = NOT_RECORDED
    addressee_slugs: list[str] = dataclasses.field(default_factory=list)
    addressee_guesses: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def key(self) -> str:
        return finding_key(self.kind, self.reference, self.text)


def finding_key(kind: str, reference: str, text: str = "") -> str:
    """A finding's stable key within its inspection: its kind and reference ("recommendation-3"),
    or, with no reference, its kind and its first words; the same finding always gets the
    same key, so saving it again updates it rather than adding another."""
    stem = slugify(kind.replace("_", " "))
    if reference:
        return f"{stem}-{slugify(reference)}"[:80]
    words = slugify(" ".join(text.split()[:8])) or "untitled"
    return f"{stem}-{words}"[:80].rstrip("-")


# --- deadlines --------------------------------------------------------------------------------


class DeadlineError(ValueError):
    """Deadline wording that cannot be read; its message says why in plain words."""


_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_MONTH_YEAR = re.compile(
    rf"^(?:the\s+)?(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{{4}})$", re.I
)
_MONTH_YEAR = re.compile(r"^(?:the\s+end\s+of\s+)?([a-z]+)\.?,?\s+(\d{4})$", re.I)
_WITHIN = re.compile(
    r"^within\s+([a-z0-9-]+)\s+(day|week|month|year)s?\s+of\s+(?:the\s+)?"
    r"(?:publication|this\s+report(?:'s)?\s*(?:being\s+)?(?:published|publication)?|"
    r"(?:the\s+)?publication\s+of\s+this\s+report|(?:the\s+)?report(?:'s)?\s+"
    r"(?:being\s+)?(?:publication|published))",
    re.I,
)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or that month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, deadlines.month_end(year, month).day))


def _day(day: int, month_name: str, year: int) -> datetime.date:
    month = MONTHS.get(month_name.lower())
    if month is None:
        raise DeadlineError(f"'{month_name}' is not a month")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DeadlineError(f"{day} {month_name.capitalize()} {year} is not a date") from None


def deadline_from_words(
    words: str, *, published_on: datetime.date | None
) -> tuple[datetime.date | None, str]:
    """A deadline written in words, as (due day, precision): '30 June 2016' (a day),
    'February 2022' or 'By February 2022' (a month), 'Immediately' (the publication day),
    'within six months of publication' (counted from it), '2016-06-30', '2022-02', or blank
    for none. The project's own display forms ('No deadline recorded', 'Immediately (from 10
    February 2021)') read back too. Raises DeadlineError, in plain words, for anything else."""
    text = " ".join(words.split()).strip().rstrip(".,;:")
    lowered = text.lower()
    if not text or lowered in {"none", "no deadline", "no deadline recorded", "n/a", "-"}:
        return None, deadlines.Precision.NONE.value
    if lowered.startswith("by "):
        text, lowered = text[3:].strip(), lowered[3:].strip()
    if lowered.startswith("immediately"):
        if published_on is None:
            raise DeadlineError("'Immediately' needs the report's publication date")
        return published_on, deadlines.Precision.IMMEDIATELY.value
    if match := _WITHIN.match(text):
        return _within(match, published_on), deadlines.Precision.DAY.value
    if re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?", text):
        try:
            due, precision = deadlines.parse_deadline(text)
        except ValueError:
            raise DeadlineError(f"{text} is not a date") from None
        return due, precision.value
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day), deadlines.Precision.DAY.value
        except ValueError:
            raise DeadlineError(f"{text} is not a date (day/month/year)") from None
    if match := _DAY_MONTH_YEAR.match(text):
        day, month_name, year = match.groups()
        return _day(int(day), month_name, int(year)), deadlines.Precision.DAY.value
    if match := _MONTH_YEAR.match(text):
        month_name, year = match.groups()
        month = MONTHS.get(month_name.lower())
        if month is None:
            raise DeadlineError(f"'{text}' is not a month and year")
        return deadlines.month_end(int(year), month), deadlines.Precision.MONTH.value
    raise DeadlineError(f"'{words.strip()}' is not a deadline this can read")


def _within(match: re.Match, published_on: datetime.date | None) -> datetime.date:
    amount_words, unit = match.group(1).lower(), match.group(2).lower()
    amount = int(amount_words) if amount_words.isdigit() else NUMBER_WORDS.get(amount_words)
    if amount is None:
        raise DeadlineError(f"'{match.group(0)}': '{amount_words}' is not a number")
    if published_on is None:
        raise DeadlineError(f"'{match.group(0)}' needs the report's publication date")
    if unit == "day":
        return published_on + datetime.timedelta(days=amount)
    if unit == "week":
        return published_on + datetime.timedelta(weeks=amount)
    return _add_months(published_on, amount * (12 if unit == "year" else 1))


# A deadline leading a finding: "By 30 June 2016, ...", "Immediately, ...", "Within six
# months of publication, ...". The words up to the first comma are the deadline.
_LEAD = re.compile(r"^(by\s+[^,]{3,40}?|immediately|within\s+[^,]{3,60}?)\s*,\s*", re.I)
# A deadline later in the first sentence: "... should publish a plan by 31 March 2017."
_LATER = re.compile(
    r"\bby\s+((?:the\s+end\s+of\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\s+\d{4})\b",
    re.I,
)


def _read_deadline(finding: ParsedFinding, body: str, published_on) -> str:
    """Set the finding's deadline from its text; return the text after a leading deadline."""
    if match := _LEAD.match(body):
        written = match.group(1)
        finding.deadline_as_written = written
        try:
            due, precision = deadline_from_words(written, published_on=published_on)
        except DeadlineError as error:
            finding.warnings.append(f"No deadline recorded: {error}.")
            return body[match.end() :]
        finding.deadline, finding.deadline_precision = due, precision
        if written.lower().startswith("within"):
            finding.deadline_guess = True
            finding.warnings.append(
                f"Deadline counted from the publication date ({written}): check."
            )
        return body[match.end() :]
    if match := _LATER.search(_first_sentence(body)):
        written = match.group(1)
        try:
            due, precision = deadline_from_words(written, published_on=published_on)
        except DeadlineError as error:
            finding.warnings.append(f"No deadline recorded: {error}.")
            return body
        finding.deadline, finding.deadline_precision = due, precision
        finding.deadline_as_written, finding.deadline_guess = f"by {written}", True
        finding.warnings.append(f"Deadline read from later in the sentence ('by {written}').")
        return body
    if re.match(r"^by\s", body, re.I):
        finding.warnings.append("The text begins with 'By' but no deadline could be read.")
    return body


# --- addressees -------------------------------------------------------------------------------

# Patterns on the words before "should" (lower case); the first audience found wins.
ALL_FORCES_PATTERNS = [
    r"\bevery (?:police )?force\b",
    r"\ball (?:police )?forces\b",
    r"\bchief constables\b",
    r"\beach (?:police )?force\b",
]
EACH_REGION_PATTERNS = [
    r"\bin each region\b",
    r"\beach (?:rocu|region)\b",
    r"\bregional\b",
    r"\brocus\b",
    r"\bregional organised crime units\b",
]
# (pattern, slug) for the national bodies of the reference data.
BODY_PATTERNS = [
    (r"\bhome office\b|\bhome secretary\b", "home-office"),
    (r"\bnational crime agency\b|\bnca\b", "nca"),
    (r"\bnational police chiefs'? council\b|\bnpcc\b", "npcc"),
    (r"\bassociation of police and crime commissioners\b|\bapcc\b", "apcc"),
    (r"\bcollege of policing\b", "college-of-policing"),
]
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|(?<!\w)'[^']*'(?!\w)")
_SHOULD = re.compile(r"\b(should|must)\b", re.I)


def _unquoted(text: str) -> str:
    """The text with quotations blanked out (same length, so positions still match)."""
    return _QUOTED.sub(lambda match: " " * len(match.group(0)), text)


def subject_before_should(text: str) -> str | None:
    """The words before the first "should" or "must" that is not inside a quotation, within
    the first sentence; None if there is none."""
    sentence = _first_sentence(text)
    match = _SHOULD.search(_unquoted(sentence))
    if match is None:
        return None
    return sentence[: match.start()].strip(" ,;:")


def _first_sentence(text: str) -> str:
    match = re.search(r"(?<![A-Z])[.!?](?:\s|$)", text)
    return text[: match.start()] if match else text


def _bodies(words: str) -> list[str]:
    lowered = _unquoted(words).lower()
    return [slug for pattern, slug in BODY_PATTERNS if re.search(pattern, lowered)]


def _read_addressees(finding: ParsedFinding, body: str) -> None:
    subject = subject_before_should(body)
    if not subject:
        finding.warnings.append("No addressee found (nobody 'should' do anything): check.")
        return
    finding.addressees_as_written = subject
    lowered = _unquoted(subject).lower()
    if any(re.search(pattern, lowered) for pattern in ALL_FORCES_PATTERNS):
        finding.audience = ALL_FORCES
    elif any(re.search(pattern, lowered) for pattern in EACH_REGION_PATTERNS):
        finding.audience = EACH_REGION
    bodies = _bodies(subject)
    # "... should lead work with the NPCC and the APCC to ...": the partners named.
    rest = _first_sentence(body)[len(subject) :]
    if partners := re.search(r"\bshould\s+(?:lead\s+)?work\s+with\s+(.*?)\bto\b", rest, re.I):
        extra = [slug for slug in _bodies(partners.group(1)) if slug not in bodies]
        finding.addressee_guesses = extra
        if extra:
            finding.warnings.append(
                f"Also names {', '.join(extra)} as partners in the work: added as a guess."
            )
    if finding.audience in (ALL_FORCES, EACH_REGION):
        if bodies:
            finding.warnings.append(
                f"Also addressed to {', '.join(bodies)}: record them as a separate finding "
                "or change the audience to named bodies."
            )
        return
    if bodies or finding.addressee_guesses:
        finding.audience = NAMED
        finding.addressee_slugs = bodies + finding.addressee_guesses
        return
    finding.warnings.append(f"Addressee '{subject}' is not a body this recognises: check.")


# --- finding boundaries -----------------------------------------------------------------------

KIND_WORDS = [
    ("accelerated cause of concern", ACCELERATED_CAUSE_OF_CONCERN),
    ("cause of concern", CAUSE_OF_CONCERN),
    ("area for improvement", AREA_FOR_IMPROVEMENT),
    ("innovative practice", INNOVATIVE_PRACTICE),
    ("recommendation", RECOMMENDATION),
]
_HEADING = re.compile(
    r"^(?P<word>accelerated cause of concern|cause of concern|area for improvement|"
    r"innovative practice|recommendation)"
    r"(?:\s+(?P<reference>\d{1,3}(?:\.\d{1,2})?[a-z]?)\b)?\s*(?P<sep>[:.\-–—]|$)\s*(?P<rest>.*)$",
    re.I,
)
_BULLET = re.compile(
    r"^(?P<indent>\s*)(?P<marker>[-•*▪◦‣]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+(?P<rest>.*)$"
)
_MARKDOWN = re.compile(r"^\s*#+\s|^\s*\*\*[^*]+\*\*\s*$")
_BODY_LEAD = re.compile(
    r"^(?:by\s|immediately\b|within\s|the\s|every\s|all\s|each\s|chief\s|police\s|forces\b|"
    r"rocus?\b|regional\s|national\s|home\s|hmicfrs\b|nca\b|npcc\b|apcc\b|college\s)",
    re.I,
)


@dataclasses.dataclass
class _Unit:
    text: str
    bullet: bool = False
    indented: bool = False
    number: str = ""
    heading: tuple[str, str, str, bool] | None = None  # kind, reference, rest, bare
    section: bool = False  # a markdown heading or a bold line: ends the current finding


def _strip_emphasis(text: str) -> str:
    return re.sub(r"\*\*|__", "", text).strip()


def _units(text: str) -> list[_Unit]:
    """Lines as units: headings, list items and paragraphs (wrapped lines joined)."""
    units: list[_Unit] = []
    joinable = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            joinable = False
            continue
        if _MARKDOWN.match(raw) and not _HEADING.match(_strip_emphasis(raw.strip(" #"))):
            units.append(_Unit(text=raw.strip(), section=True))
            joinable = False
            continue
        line = _strip_emphasis(raw.rstrip())
        if match := _HEADING.match(line.strip(" #")):
            kind = next(k for word, k in KIND_WORDS if word == match["word"].lower())
            bare = not match["reference"] and not match["rest"] and match["sep"] == ""
            units.append(
                _Unit(
                    text=line.strip(),
                    heading=(kind, match["reference"] or "", match["rest"].strip(), bare),
                )
            )
            joinable = bool(match["rest"])
            continue
        if match := _BULLET.match(line):
            marker = match["marker"].strip("().")
            units.append(
                _Unit(
                    text=match["rest"].strip(),
                    bullet=True,
                    indented=bool(match["indent"]),
                    number=marker if marker.isdigit() else "",
                )
            )
            joinable = True
            continue
        if joinable and units:
            units[-1].text += " " + line.strip()
            continue
        units.append(_Unit(text=line.strip()))
        joinable = True
    return units


def _continues(current: str) -> bool:
    """Whether the finding's text so far runs on into the next item (a list it introduces)."""
    tail = current.rstrip()
    return tail.endswith((":", ";", "; and", "; or", ",")) or bool(re.search(r"\b(and|or)$", tail))


def _starts_finding(text: str) -> bool:
    """A list item or paragraph that reads as a finding: it leads with a deadline or with a
    body, and says what someone should do."""
    if not _BODY_LEAD.match(text):
        return False
    lead = _LEAD.match(text)
    rest = text[lead.end() :] if lead else text
    subject = subject_before_should(rest)
    if subject is None:
        return False
    # "The 13 capabilities ROCUs should provide": a body, not its duty; a subject is short.
    lowered = subject.lower()
    if lead is None and not (
        any(re.search(pattern, lowered) for pattern in ALL_FORCES_PATTERNS + EACH_REGION_PATTERNS)
        and not re.search(r"\b(capabilities|what|which|that)\b", lowered)
        or _bodies(subject)
    ):
        return False
    return len(subject.split()) <= 30


def _reads_as_a_finding(text: str) -> bool:
    """A paragraph outside a list: it leads with a deadline, or is a sentence (a headline
    such as "ROCUs should build on their strong foundations" has no full stop)."""
    return bool(_LEAD.match(text)) or text.rstrip().endswith((".", ":"))


def _join(current: str, more: str) -> str:
    return f"{current} {more}".strip()


def _blocks(text: str) -> list[tuple[str, str, str, bool]]:
    """(kind, reference, text, reference_guessed) for each finding the text holds."""
    blocks: list[list] = []
    current: list | None = None  # [kind, reference, text, reference_guessed, from_bullet]
    for unit in _units(text):
        if unit.section:
            current = None
            continue
        if unit.heading:
            kind, reference, rest, bare = unit.heading
            current = [kind, reference, rest, False, False, bare]
            blocks.append(current)
            continue
        if current is not None and (not current[2] or _continues(current[2])):
            current[2] = _join(current[2], unit.text)
            current[4] = current[4] or unit.bullet
            continue
        if current is not None and unit.indented and current[4]:
            current[2] = _join(current[2], unit.text)
            continue
        if _starts_finding(unit.text) and (unit.bullet or _reads_as_a_finding(unit.text)):
            current = [
                RECOMMENDATION,
                unit.number,
                unit.text,
                bool(unit.number),
                unit.bullet,
                False,
            ]
            blocks.append(current)
            continue
        current = None
    kept = []
    for kind, reference, body, guessed, _bullet, bare in blocks:
        if not body:
            continue
        # A bare "Recommendation" line (a paper's own section heading) followed by text
        # that asks nobody to do anything is not a finding.
        if bare and kind == RECOMMENDATION and subject_before_should(body) is None:
            continue
        kept.append((kind, reference, body, guessed))
    return kept


def findings_parse(text: str, *, published_on: datetime.date | None) -> list[ParsedFinding]:
    """The findings the pasted text holds, in order, each guess marked (see the module)."""
    findings = []
    for kind, reference, body, reference_guessed in _blocks(text):
        body = " ".join(body.split())
        finding = ParsedFinding(kind=kind, reference=reference, text=body)
        if reference_guessed:
            finding.warnings.append(f"Reference {reference} taken from the list's numbering.")
        rest = _read_deadline(finding, body, published_on)
        _read_addressees(finding, rest)
        findings.append(finding)
    _number_duplicates(findings)
    return findings


def _number_duplicates(findings: list[ParsedFinding]) -> None:
    """Two findings with the same key would save as one: say so."""
    seen: dict[str, int] = {}
    for position, finding in enumerate(findings, start=1):
        if finding.key in seen:
            finding.warnings.append(
                f"Same kind and reference as finding {seen[finding.key]}: give it its own "
                "reference, or it will replace that one."
            )
        else:
            seen[finding.key] = position
