"""Rating pages: the owner's and the department's rating of a finished service, and the
agency's reply. Who may do what is decided by credit/services; the contract is found through
the contracts' own reading rule, so anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.selectors import contract_detail
from core.forms import handle_form
from credit.forms import RatingForm, ReplyForm
from credit.models import Rating
from credit.services.ratings import rating_change, rating_reply, rating_submit


def _contract(request: HttpRequest, number: str) -> Contract:
    try:
        return contract_detail(user=request.user, number=number)
    except Contract.DoesNotExist:
        raise Http404 from None


def _to_contract(contract: Contract) -> HttpResponse:
    return redirect("contract_party:detail", number=contract.number)


@login_required
def rating_new(request: HttpRequest, number: str, rater: str) -> HttpResponse:
    if rater not in Rating.Rater.values:
        raise Http404
    contract = _contract(request, number)
    form = RatingForm(request.POST or None, rater=rater)
    done = handle_form(
        request,
        form,
        lambda data: rating_submit(
            actor=request.user,
            contract=contract,
            rater=rater,
            scores=_scores(form, data),
            comment=data["comment"],
            reason=data["reason"],
        ),
        success=lambda rating: (
            _("Thank you: your rating is saved.")
            if rating.status == Rating.Status.COUNTED
            else _("Your rating is saved; being poor, it counts once a regulator has checked it.")
        ),
        redirect_to=lambda rating: _to_contract(contract),
    )
    return done or render(
        request, "credit/rate.html", {"contract": contract, "form": form, "rater": rater}
    )


def _rating(contract: Contract, pk: int) -> Rating:
    rating = Rating.objects.filter(pk=pk, contract=contract).first()
    if rating is None:
        raise Http404
    return rating


def _scores(form: RatingForm, data: dict) -> dict:
    return {name: value for name, value in data.items() if name in form.aspects}


@login_required
def rating_change_page(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The rater changes the rating while it is not frozen; the service decides whether."""
    contract = _contract(request, number)
    rating = _rating(contract, pk)
    initial = {**rating.scores, "comment": rating.comment, "reason": rating.reason}
    form = RatingForm(request.POST or None, rater=rating.rater, initial=initial)
    done = handle_form(
        request,
        form,
        lambda data: rating_change(
            actor=request.user,
            rating=rating,
            scores=_scores(form, data),
            comment=data["comment"],
            reason=data["reason"],
        ),
        success=_("Your rating is changed."),
        redirect_to=lambda changed: _to_contract(contract),
    )
    return done or render(
        request,
        "credit/rate.html",
        {"contract": contract, "form": form, "rater": rating.rater, "changing": True},
    )


@login_required
def rating_reply_page(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    contract = _contract(request, number)
    rating = _rating(contract, pk)
    form = ReplyForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: rating_reply(actor=request.user, rating=rating, text=data["text"]),
        success=_("Your reply is published with the rating."),
        redirect_to=lambda reply: _to_contract(contract),
    )
    return done or render(
        request, "credit/reply.html", {"contract": contract, "rating": rating, "form": form}
    )
