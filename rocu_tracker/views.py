from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from organisations.selectors import EDITING_ROLES, organisation_ids_where


@login_required
def home(request):
    """Force staff land on their work; everyone else on the inspections."""
    if organisation_ids_where(request.user, roles=EDITING_ROLES):
        return redirect("recommendations:my_work")
    return redirect("inspections:list")
