from django.http import HttpRequest

from core.preference_views import larger_text_requested


def preferences(request: HttpRequest) -> dict:
    """The reader's display preferences, read while rendering so base.html can mark <html>
    before the first paint: a script would show the page small and then jump."""
    return {"larger_text": larger_text_requested(request)}
