"""Template helpers for the verify pages (``{% load verification %}``)."""

from __future__ import annotations

import datetime as dt

from django import template

from govportal.verification import display

register = template.Library()


@register.filter
def iso_datetime(value: dt.datetime | dt.date | None) -> str:
    """``<time datetime="{{ moment|iso_datetime }}">``: ``2026-12-07T14:08:00+03:00``, Baghdad time."""
    return display.iso_datetime(value)
