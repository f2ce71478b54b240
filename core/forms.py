from django import forms

from core.exceptions import ApplicationError


def apply_application_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's error on the form: field details at their fields, the message on top."""
    placed = False
    for field, messages in error.extra.items():
        if field in form.fields:
            for message in messages if isinstance(messages, list) else [messages]:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
