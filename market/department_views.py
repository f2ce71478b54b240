"""An approval department's page under /my/classifications/: it answers owners' requests to
classify a project as special or major (R8). It never sees quotes or picks an agency (R4)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.permissions import allowed
from core.forms import handle_form
from core.pagination import paginate
from market.department_forms import ClassificationDecisionForm
from market.models import ProjectClassification
from market.selectors import project_classifications_pending
from market.services.projects import project_classification_decide


@login_required
def classification_list(request: HttpRequest) -> HttpResponse:
    if not allowed("market.classify_projects", request.user):
        raise PermissionDenied
    pending = project_classifications_pending(department=request.user.organisation)
    return render(
        request, "market/department/classification_list.html", {"page": paginate(request, pending)}
    )


@login_required
def classification_decide(request: HttpRequest, pk: int) -> HttpResponse:
    classification = (
        ProjectClassification.objects.select_related("project__owner", "project__region")
        .filter(pk=pk)
        .first()
    )
    if classification is None or not allowed(
        "market.classify_project", request.user, classification
    ):
        raise Http404
    form = ClassificationDecisionForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: project_classification_decide(
            actor=request.user,
            classification=classification,
            confirmed=data["confirmed"],
            note=data["note"],
        ),
        success=lambda answered: (
            _("Your answer on %(project)s is recorded.") % {"project": answered.project.name}
        ),
        redirect_to="department:classifications",
    )
    return done or render(
        request,
        "market/department/classification_decide.html",
        {"classification": classification, "form": form},
    )
