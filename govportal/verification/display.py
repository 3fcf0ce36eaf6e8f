"""The details a verify page shows under a document: stored as typed values, written out when read.

``Artifact.display`` holds ``[label, value]`` rows. The label is a msgid. The value is either a
string, shown as it is (masked names and ID numbers, references), or a typed value built here
(a moment, a day, an amount, a name in several languages...) that is formatted when the page is
shown: in the reader's language, Baghdad time, with the Iraqi month names. A string frozen at
issue time cannot follow the reader's language or time zone; a typed value can.

The rows are not part of what the signature covers (``canonical_bytes`` is built by each domain
from its own facts), so they can be read differently later without touching any signature.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govportal.entities.models import Entity
from govportal.text import in_reader_language

# Each typed value is a dict with this key saying which kind it is.
TYPE = "type"
MOMENT, DAY, DAYS, AMOUNT, BOTH, ENTITY, DATED, LTR = (
    "datetime",
    "date",
    "dates",
    "amount",
    "text",
    "entity",
    "dated",
    "ltr",
)

BAGHDAD_TIME = gettext_noop("%(time)s (Baghdad time)")
DAY_RANGE = gettext_noop("%(first)s to %(last)s")
NUMBER_OF_DATE = gettext_noop("%(number)s of %(date)s")
AMOUNT_IQD = "%(amount)s IQD"  # the msgid the portal's amounts already use ("250,000 د.ع")

Value = str | dict[str, Any]


# --- building rows (at issue time) ------------------------------------------------------------------


def moment(value: dt.datetime) -> dict[str, Any]:
    """A moment, stored as an ISO 8601 time with its offset (shown in Baghdad time)."""
    return {TYPE: MOMENT, "value": value.isoformat(timespec="seconds")}


def day(value: dt.date) -> dict[str, Any]:
    return {TYPE: DAY, "value": value.isoformat()}


def days(first: dt.date, last: dt.date) -> dict[str, Any]:
    return {TYPE: DAYS, "first": first.isoformat(), "last": last.isoformat()}


def amount(dinars: int) -> dict[str, Any]:
    """Whole Iraqi dinars, shown with thousands separators and the currency."""
    return {TYPE: AMOUNT, "value": int(dinars)}


def both(*, ar: str, en: str) -> dict[str, Any]:
    """A name in Arabic and in English (a programme's title): the reader's language is shown."""
    return {TYPE: BOTH, "ar": ar, "en": en}


def entity(value: Entity) -> dict[str, Any]:
    """An entity by its names at issue time, with its code as a secondary detail."""
    return {TYPE: ENTITY, "ar": value.name_ar, "en": value.name_en, "ckb": value.name_ckb, "code": value.code}


def dated(number: str, date: dt.date) -> dict[str, Any]:
    """A document's number and date ("BGD-2019-44871 of 14 July 2019")."""
    return {TYPE: DATED, "number": number, "date": date.isoformat()}


def ltr(value: str) -> dict[str, Any]:
    """A left-to-right run (a reference, a masked ID number): isolated inside Arabic text."""
    return {TYPE: LTR, "value": value}


# --- reading rows (at display time) -----------------------------------------------------------------


def in_language(names: dict[str, Any]) -> str:
    """The name for the reader's language from ``{"ar": …, "en": …, "ckb": …}``; the Arabic where
    there is none in it (values stored before there were Kurdish names have no "ckb")."""
    return in_reader_language(
        ar=str(names.get("ar") or ""), en=str(names.get("en") or ""), ckb=str(names.get("ckb") or "")
    )


def baghdad_time(value: dt.datetime) -> str:
    """ "7 كانون الأول 2026، 14:08 بتوقيت بغداد" / "7 December 2026, 14:08 (Baghdad time)"."""
    local = timezone.localtime(value, timezone.get_default_timezone())
    return _(BAGHDAD_TIME) % {"time": date_format(local, "DATETIME_FORMAT")}


def iso_datetime(value: dt.datetime | dt.date | None) -> str:
    """The ``datetime`` attribute of a ``<time>`` element: Baghdad time to the second, with the
    offset written ``+03:00``; a date alone as ``2026-12-07``. (``|date:"c"`` writes microseconds,
    which HTML does not allow.)"""
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat(timespec="seconds")


def _day_text(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")


def _time(attribute: str, text: str, html: bool) -> str:
    return format_html('<time datetime="{}">{}</time>', attribute, text) if html else text


def _bdi(value: str, html: bool, *, direction: str = "ltr") -> str:
    return format_html('<bdi dir="{}">{}</bdi>', direction, value) if html else value


def value_text(value: Value, *, html: bool = False) -> str:
    """One stored value in the active language; with ``html``, escaped markup (``<time>``, ``<bdi>``)."""
    if isinstance(value, str):
        # Values written before typed ones, masked names and references: shown as stored (a
        # value that is a msgid, such as a certificate's answer, in the reader's language).
        text = _(value) if value else value
        return format_html("<bdi>{}</bdi>", text) if html else text
    kind = value.get(TYPE)
    if kind == MOMENT:
        moment_value = dt.datetime.fromisoformat(value["value"])
        return _time(iso_datetime(moment_value), baghdad_time(moment_value), html)
    if kind == DAY:
        return _time(value["value"], _day_text(value["value"]), html)
    if kind == DAYS:
        first, last = (
            _time(value["first"], _day_text(value["first"]), html),
            _time(value["last"], _day_text(value["last"]), html),
        )
        return _sentence(DAY_RANGE, html, first=first, last=last)
    if kind == AMOUNT:
        figure = _bdi(f"{int(value['value']):,}", html)
        return _sentence(AMOUNT_IQD, html, amount=figure)
    if kind == BOTH:
        return conditional_escape(in_language(value)) if html else in_language(value)
    if kind == ENTITY:
        name = in_language(value)
        if not html:
            return f"{name} ({value['code']})"
        return format_html('{} <bdi class="code" dir="ltr">{}</bdi>', name, value["code"])
    if kind == DATED:
        number = _bdi(str(value["number"]), html)
        return _sentence(NUMBER_OF_DATE, html, number=number, date=_time(value["date"], _day_text(value["date"]), html))
    if kind == LTR:
        return _bdi(str(value["value"]), html)
    return conditional_escape(str(value)) if html else str(value)


def _sentence(msgid: str, html: bool, **parts: str) -> str:
    """A translated sentence around parts already formatted (and escaped, with ``html``)."""
    if not html:
        return _(msgid) % parts
    return mark_safe(conditional_escape(_(msgid)) % parts)  # noqa: S308 - the sentence and every part are escaped


def display_rows(rows: list[list[Any]], *, html: bool = False) -> list[tuple[str, str | SafeString]]:
    """The stored rows as (label, value) in the active language."""
    return [(_(label), value_text(value, html=html)) for label, value in rows]
