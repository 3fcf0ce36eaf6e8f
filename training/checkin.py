"""Self check-in by a rotating QR code shown in the room.

The code holds a URL with a short token: the session, the day, a time slot (``CHECKIN_SLOT_SECONDS``
long) and an HMAC of the three under the site's secret key. A token is accepted during its own slot
and the next one only, so a photo of the screen sent to someone at home is soon worthless.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from training.constants import CHECKIN_SLOT_SECONDS, CHECKIN_SLOTS_VALID

_SALT = "training.checkin"


@dataclass(frozen=True)
class CheckinCode:
    session_id: uuid.UUID
    day: dt.date


def _slot(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // CHECKIN_SLOT_SECONDS)


def _mac(session_id: uuid.UUID, day: dt.date, slot: int) -> str:
    return salted_hmac(_SALT, f"{session_id}:{day.isoformat()}:{slot}", algorithm="sha256").hexdigest()[:20]


def checkin_token(session_id: uuid.UUID, *, now: float | None = None) -> str:
    """The token of the current slot for today's session day."""
    day = timezone.localdate()
    slot = _slot(now)
    return f"{session_id.hex}.{day:%Y%m%d}.{slot}.{_mac(session_id, day, slot)}"


def checkin_read(token: str, *, now: float | None = None) -> CheckinCode | None:
    """The session and day a token stands for, or None when it is forged, damaged or expired."""
    try:
        session_hex, day_text, slot_text, mac = token.split(".")
        session_id = uuid.UUID(hex=session_hex)
        day = dt.datetime.strptime(day_text, "%Y%m%d").date()  # noqa: DTZ007 — a calendar day, no time
        slot = int(slot_text)
    except ValueError:
        return None
    if not constant_time_compare(mac, _mac(session_id, day, slot)):
        return None
    if not 0 <= _slot(now) - slot < CHECKIN_SLOTS_VALID:
        return None
    return CheckinCode(session_id=session_id, day=day)


def seconds_left(*, now: float | None = None) -> int:
    current = time.time() if now is None else now
    return int(CHECKIN_SLOT_SECONDS - current % CHECKIN_SLOT_SECONDS) + 1
