"""Placeholder while the pages are built."""

from django.http import Http404


def _missing(*args: object, **kwargs: object) -> None:
    raise Http404


payments = payment = refund = _missing
