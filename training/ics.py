"""An iCalendar (RFC 5545) file for a session: one event per day, times in UTC."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from training.models import Session


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_ics(session: Session) -> str:
    programme = session.programme
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "govportal"
    summary = f"{programme.title_ar} / {programme.title_en}"
    location = session.venue or session.online_url
    description = "\n".join(
        part
        for part in (
            programme.description_ar,
            session.online_url,
            f"{settings.SITE_URL}/training/sessions/{session.pk}/",
        )
        if part
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//govportal//training//AR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    stamp = _utc(timezone.now())
    for day in session.days:
        starts = timezone.make_aware(dt.datetime.combine(day, session.start_time))
        ends = timezone.make_aware(dt.datetime.combine(day, session.end_time))
        lines += [
            "BEGIN:VEVENT",
            f"UID:{session.pk}-{day:%Y%m%d}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(starts)}",
            f"DTEND:{_utc(ends)}",
            f"SUMMARY:{_escape(summary)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))
