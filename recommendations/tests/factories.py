import datetime

import factory
from django.utils import timezone

from inspections.models import Inspection
from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from organisations.services import membership_grant
from recommendations.models import Finding, TrackedItem


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    kind = Organisation.Kind.FORCE
    name = factory.Sequence(lambda n: f"Test Force {n}")
    short_name = factory.LazyAttribute(lambda o: o.name)
    slug = factory.Sequence(lambda n: f"test-force-{n}")


class InspectorateFactory(OrganisationFactory):
    kind = Organisation.Kind.INSPECTORATE
    name = "HM Inspectorate of Constabulary and Fire & Rescue Services"
    short_name = "HMICFRS"
    slug = "hmicfrs"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    slug = factory.Sequence(lambda n: f"inspection-{n}")
    inspectorate = factory.SubFactory(InspectorateFactory)
    type = Inspection.Type.THEMATIC
    scope = Inspection.Scope.NATIONAL
    title = factory.Sequence(lambda n: f"Test inspection {n}")
    published_on = datetime.date(2021, 2, 10)
    # Published to the trackers, as the reference data is; a test of drafts passes None.
    published_to_trackers_at = factory.LazyFunction(timezone.now)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    key = factory.Sequence(lambda n: f"finding-{n}")
    kind = Finding.Kind.RECOMMENDATION
    text = factory.Sequence(lambda n: f"Recommendation text {n}")
    audience = Finding.Audience.NAMED
    deadline = datetime.date(2022, 2, 28)
    deadline_precision = "month"


class TrackedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackedItem

    finding = factory.SubFactory(FindingFactory)
    organisation = factory.SubFactory(OrganisationFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Stored as the services store it: the target date, else the finding's deadline.
        kwargs.setdefault(
            "effective_deadline", kwargs.get("target_date") or kwargs["finding"].deadline
        )
        return super()._create(model_class, *args, **kwargs)


def editor_and_lead(user_model, slug: str) -> list:
    """An editor and a lead of the organisation `slug`, for tests that write as both (a
    target date requested and approved)."""
    organisation = Organisation.objects.get(slug=slug)
    people = []
    for role in (Membership.Role.EDITOR, Membership.Role.LEAD):
        user = user_model.objects.create_user(username=f"{slug}-{role}", password="pw")
        membership_grant(user=user, organisation=organisation, role=role, by=SYSTEM)
        people.append(user)
    return people
