"""Placeholder while the pages are built."""

from django.http import Http404


def _missing(*args: object, **kwargs: object) -> None:
    raise Http404


bills = pay = payments = payment_detail = payment_return = payment_cancel = receipt_pdf = _missing
