from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from organisations.access import is_editor_anywhere


@login_required
def home(request):
    """Force staff land on their work; everyone else on the inspections."""
    if is_editor_anywhere(request.user):
        return redirect("recommendations:my_work")
    return redirect("inspections:list")


@require_GET
def accessibility(request):
    """The accessibility statement the Public Sector Bodies Accessibility Regulations ask for;
    anyone may read it, signed in or not."""
    context = {
        "support_email": settings.SUPPORT_EMAIL,
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "accessibility.html", context)
