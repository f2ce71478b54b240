"""The public pages of contracts (R11): the contracts in force, one contract's public summary,
and the page where anyone checks a contract by its number or its PDF. They show who signed
what and when, never the contract's text, its PDF or its deliverables, and nothing of a
contract that has not come into force."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from contracts.filters import ContractPublicFilter
from contracts.models import Contract
from contracts.public_forms import ContractNumberForm, ContractPdfForm
from contracts.selectors import contract_log_index, contract_public_detail, contract_public_list
from contracts.signing import NotAPdf
from contracts.verification import pdf_check
from core.filters import filter_list


def contract_list(request: HttpRequest) -> HttpResponse:
    listing = filter_list(request, ContractPublicFilter, contract_public_list())
    return render(request, "contracts/public/list.html", {"listing": listing, "page": listing.page})


def _public_contract(number: str) -> Contract | None:
    try:
        return contract_public_detail(number=number)
    except Contract.DoesNotExist:
        return None


def contract_detail(request: HttpRequest, number: str) -> HttpResponse:
    contract = _public_contract(number)
    if contract is None:
        raise Http404
    return render(
        request,
        "contracts/public/detail.html",
        {
            "contract": contract,
            "versions": contract.public_versions,
            "log_index": contract_log_index(contract=contract),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def verify_contract(request: HttpRequest) -> HttpResponse:
    """?number=… shows the platform's record of a contract in force (the QR code on every
    contract leads here); a POSTed PDF is checked in memory and not kept."""
    number_form = ContractNumberForm(request.GET if "number" in request.GET else None)
    looked_up = number_form.cleaned_data["number"].strip() if number_form.is_valid() else ""
    contract = _public_contract(looked_up) if looked_up else None
    pdf_form = ContractPdfForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    check = None
    if request.method == "POST" and pdf_form.is_valid():
        upload = pdf_form.cleaned_data["pdf"]
        try:
            check = pdf_check(upload.read())
        except NotAPdf as error:
            pdf_form.add_error("pdf", error.message)
        finally:
            upload.close()
    return render(
        request,
        "contracts/public/verify.html",
        {
            "number_form": number_form,
            "looked_up": looked_up,
            "contract": contract,
            "versions": contract.public_versions if contract else [],
            "pdf_form": pdf_form,
            "check": check,
        },
    )
