"""Each person's reminder preferences and their in-app notifications."""

from django.utils import timezone

from ..models import Notification, Preference


def preference_update(*, user, email: str, only_what_i_own: bool) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"email": email, "only_what_i_own": only_what_i_own}
    )
    return preference


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(
        id=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
