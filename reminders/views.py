from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rocu_tracker.forms import posted_data

from . import selectors, services
from .forms import PreferenceForm
from .models import Preference


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 50).get_page(
        request.GET.get("page")
    )
    entries = selectors.dispatch_entries(n.dispatch for n in page.object_list)
    rows = list(zip(page.object_list, entries, strict=True))
    return render(request, "reminders/notification_list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    # Scoped by recipient in the service: another user's notification changes nothing.
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("reminders:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect("reminders:list")


@login_required
def preferences(request):
    current = Preference.objects.filter(user=request.user).first() or Preference()
    form = PreferenceForm(
        posted_data(request),
        initial={"email": current.email, "only_what_i_own": current.only_what_i_own},
    )
    if request.method == "POST" and form.is_valid():
        services.preference_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your reminder preferences are saved.")
        return redirect("reminders:preferences")
    return render(request, "reminders/preferences.html", {"form": form})
