"""What a page says back after a form or a button: a service's refusal, as one message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def error_message(request: HttpRequest, exc: ValidationError) -> None:
    """The service's ``ValidationError`` shown as one error message on the next page (its sentences joined)."""
    messages.error(request, " ".join(exc.messages))
