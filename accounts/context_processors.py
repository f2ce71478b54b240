from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url

from accounts.navigation import navigation_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "nav_items": navigation_for(user),
        "user_role": getattr(user, "role", None),
        "language_switch_next": _address_in_default_language(request),
    }


def _address_in_default_language(request: HttpRequest) -> str:
    """This page's address (query string kept) as the default language spells it, for the
    language switcher's `next`. Django's set_language answers at an address without a language
    prefix, where LocaleMiddleware always activates the default language, and translates
    `next` from there: handed "/en/notices/" it cannot find the page (under the Chinese
    patterns that is a Wagtail path "en/notices/"), so the reader stayed in English. Handed the
    Chinese address, which we translate here while this page's own language is active, it
    finds the page and reverses it in whichever language was chosen."""
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
