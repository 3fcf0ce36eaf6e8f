"""Development e-mail, printed as a person reads it."""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from typing import Any

from django.core.mail.backends import console

_HEADERS = ("Subject", "From", "To", "Cc", "Reply-To", "Date")


class ReadableConsoleBackend(console.EmailBackend):
    """Django's console backend prints a message as it goes on the wire, where Arabic text, and
    the sign-up link inside it, are base64. This one prints the headers decoded and each text part
    as text, each line whole (no soft line breaks), so a developer reads the mail and opens its
    links from the terminal. HTML alternatives and attachments are named, not printed."""

    def write_message(self, message: Any) -> None:
        self.stream.write(readable_message(message.message()))
        self.stream.write("-" * 79 + "\n")


def readable_message(mime: MimeMessage) -> str:
    lines = [f"{name}: {mime[name]}" for name in _HEADERS if mime[name]]
    leaves = [part for part in mime.walk() if not part.is_multipart()]
    texts = [part for part in leaves if part.get_content_type() == "text/plain" and not part.get_filename()]
    if not texts:  # an HTML-only message: its source is still more readable than base64
        texts = [part for part in leaves if part.get_content_maintype() == "text" and not part.get_filename()]
    for part in texts:
        lines += ["", part.get_content().rstrip("\n")]
    shown = {id(part) for part in texts}
    for part in leaves:
        if id(part) in shown:
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        kind = f"attachment {part.get_filename()}" if part.get_filename() else "alternative"
        lines.append(f"[{kind}: {part.get_content_type()}, {size} bytes, not shown]")
    return "\n".join(lines) + "\n"
