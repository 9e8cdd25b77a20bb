"""The project's wording rules applied to value tuples, for the downloads that read rows with
`values_list` (thousands of model instances cost more than the download itself): the same
labels, texts and names as the pages, from the one place each rule lives."""

from django.contrib.auth import get_user_model

from recommendations.models import Finding, TrackedItem
from rocu_tracker.people import display_name

KIND_LABELS = dict(Finding.Kind.choices)
STATUS_LABELS = dict(TrackedItem.Status.choices)


class _FindingWords:
    """A finding's text and summary, worded by Finding.display_text itself."""

    __slots__ = ("summary", "text")
    TEXT_NOT_RECORDED = Finding.TEXT_NOT_RECORDED
    display_text = Finding.display_text

    def __init__(self, text: str, summary: str):
        self.text, self.summary = text, summary


def finding_text(text: str, summary: str) -> str:
    return _FindingWords(text, summary).display_text


def finding_label(kind: str, reference: str) -> str:
    """'Recommendation 3', as the pages name a finding."""
    label = KIND_LABELS.get(kind, kind)
    return f"{label} {reference}" if reference else label


OWNER_FIELDS = (
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    f"owner__{get_user_model().USERNAME_FIELD}",
)


class OwnerNames:
    """Each owner's display name (rocu_tracker.people), worked out once per owner per
    download: a national export names a few thousand people over 250,000 rows."""

    def __init__(self):
        self._names: dict[int, str] = {}
        self._user_model = get_user_model()

    def __call__(self, owner_id, first_name, last_name, username) -> str:
        if owner_id is None:
            return display_name(None)
        name = self._names.get(owner_id)
        if name is None:
            user = self._user_model(
                pk=owner_id,
                first_name=first_name,
                last_name=last_name,
                **{self._user_model.USERNAME_FIELD: username},
            )
            name = self._names[owner_id] = display_name(user)
        return name
