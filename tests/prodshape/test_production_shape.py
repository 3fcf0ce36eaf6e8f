"""The production shape, run natively (tests/prodshape/stack.py): what one deployment must do.

Over HTTPS only, as a browser would (a client that trusts the stack's self-signed certificate):
HSTS and Secure cookies are live; a session begun on instance A continues on instance B; one sandbox
payment goes from checkout to a receipt PDF rendered by the documents worker into S3, whose QR code
verifies; a file uploaded through one instance downloads from the other.

Its own step of .ci/run, once per run: ``pytest -m prodshape tests/prodshape``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pyotp
import pytest

from govportal.queues import QUEUES, queue_name
from tests.factories import PASSWORD  # the seed's people have it
from tests.prodshape.stack import BUCKET, Stack, tool

pytestmark = [pytest.mark.prodshape]

# How long to wait for the workers' chain (webhook → event → receipt → PDF): a wait, not a claim.
DEADLINE = 120

SEED = """
import json
import pyotp
from govportal.accounts.constants import Role
from tests.factories import CitizenProfileFactory, EntityFactory, MembershipFactory, bill, totp_secret

fund, ministry, datacentre = EntityFactory(code="IHF"), EntityFactory(code="MOF"), EntityFactory(code="NDC")
citizen = CitizenProfileFactory(user__email="citizen@prodshape.example.iq").user
item = bill(citizen, fund, 125_000, reference="PS-000001")
clerk = MembershipFactory(user__email="clerk@prodshape.example.iq", entity=ministry, role=Role.REGISTRY_CLERK).user
print(json.dumps({
    "citizen": citizen.email, "bill": str(item.pk), "reference": item.reference,
    "clerk": clerk.email, "clerk_totp": totp_secret(clerk), "ministry": str(ministry.pk),
    "datacentre": str(datacentre.pk),
}))
"""


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    for program in ("openssl", "gunicorn", "moto_server", "pdftoppm", "zbarimg"):
        tool(program)
    database_url, redis_url, broker_url = (
        os.environ.get(name, "") for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    )
    if not (database_url.startswith("postgres") and redis_url and broker_url.startswith("amqp")):
        pytest.fail("the production shape needs DATABASE_URL (PostgreSQL), REDIS_URL and CELERY_BROKER_URL (RabbitMQ)")
    shape = Stack(
        tmp=tmp_path_factory.mktemp("prodshape"),
        postgres_server=database_url.rsplit("/", 1)[0],
        redis_url=redis_url,
        broker_url=broker_url,
    )
    failed = request.session.testsfailed
    try:
        shape.start()
        yield shape
    finally:
        shape.stop()
        if request.session.testsfailed > failed:
            sys.stderr.write(f"\nproduction shape logs ({shape.tmp}):\n{shape.logs()}\n")


@pytest.fixture(scope="module")
def people(stack: Stack) -> dict[str, Any]:
    return stack.shell(SEED)


# --- a browser, in a few lines --------------------------------------------------------------------


def csrf_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, f"no form on {page.url}"
    return found.group(1)


def submit(client: httpx.Client, path: str, data: dict[str, Any], files: Any = None) -> httpx.Response:
    """Fill in the form at ``path`` and send it, as a browser does (token, Origin header)."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return client.post(
        path,
        data={"csrfmiddlewaretoken": csrf_token(page), **data},
        files=files,
        headers={"Origin": str(client.base_url).rstrip("/")},
    )


def sign_in(client: httpx.Client, email: str, totp_secret: str | None = None) -> None:
    answer = submit(client, "/accounts/login/", {"login": email, "password": PASSWORD})
    assert answer.status_code == 302, answer.text[:500]
    if totp_secret:
        answer = submit(client, "/accounts/2fa/authenticate/", {"code": pyotp.TOTP(totp_secret).now()})
        assert answer.status_code == 302, answer.text[:500]


def same_browser(source: httpx.Client, target: httpx.Client) -> httpx.Client:
    """The load balancer sends the next request elsewhere: the same cookies reach the other instance."""
    for cookie in source.cookies.jar:
        target.cookies.jar.set_cookie(cookie)
    return target


# --- the checks ---------------------------------------------------------------------------------


def test_https_with_hsts_and_secure_cookies_on_both_instances(stack: Stack) -> None:
    for number in (0, 1):
        with stack.client(number) as client:
            answer = client.get("/accounts/login/")
            assert answer.status_code == 200
            assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            cookies = answer.headers.get_list("Set-Cookie")
            assert any(c.startswith("csrftoken=") for c in cookies)
            assert all("Secure" in cookie for cookie in cookies), cookies


def test_one_worker_per_queue_and_beat_are_running(stack: Stack) -> None:
    from govportal.celery import app

    nodes = {stack.node(queue): queue_name(queue, stack.prefix) for queue in QUEUES}
    consumed = app.control.inspect(destination=list(nodes), timeout=5).active_queues() or {}
    assert {node: [queue["name"] for queue in queues] for node, queues in consumed.items()} == {
        node: [queue] for node, queue in nodes.items()
    }
    assert stack.processes["beat"].poll() is None, "beat has stopped"


def test_a_session_begun_on_one_instance_continues_on_the_other(stack: Stack, people: dict[str, Any]) -> None:
    with stack.client(0) as a, stack.client(1) as b:
        assert b.get("/collection/").status_code == 302  # not signed in there yet
        sign_in(a, people["citizen"])
        session = [c for c in a.cookies.jar if c.name == "sessionid"]
        assert session and session[0].secure
        page = same_browser(a, b).get("/collection/")
        assert page.status_code == 200
        assert people["reference"] in page.text


def test_a_sandbox_payment_ends_in_a_receipt_whose_qr_verifies(stack: Stack, people: dict[str, Any]) -> None:
    with stack.client(0) as a, stack.client(1) as b:
        sign_in(a, people["citizen"])
        checkout = submit(a, f"/collection/pay/?bills={people['bill']}", {"bills": people["bill"]})
        assert checkout.status_code == 302, checkout.text[:500]
        gateway = checkout.headers["Location"].removeprefix(stack.urls[0])
        paid = submit(a, gateway, {"card_number": "4111 1111 1111 1111", "expiry": "12/30", "cvc": "123"})
        assert paid.status_code == 302, paid.text[:500]
        # Not following the way back (its page would ask the company itself): the webhook settles it.
        payment = re.search(r"/collection/payments/([0-9a-f-]{36})/return/", paid.headers["Location"]).group(1)

        pdf_key = wait_for_receipt_pdf(stack)
        assert applied_events(stack, payment) == ["applied"], "the payments worker did not process the webhook"

        detail = same_browser(a, b).get(f"/collection/payments/{payment}/")
        assert detail.status_code == 200
        receipt = re.search(r"/collection/receipts/[0-9a-f-]{36}\.pdf", detail.text)
        assert receipt, "the payment's page links no receipt"
        pdf = b.get(receipt.group(0))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert pdf.content == stack.s3().get_object(Bucket=BUCKET, Key=pdf_key)["Body"].read()

        url = qr_code_of(pdf.content, stack.tmp)
        assert url.startswith(f"{stack.urls[0]}/v/")
        with stack.client(0) as anyone:
            anyone.cookies.set("govportal_language", "en")
            verified = anyone.get(url.removeprefix(stack.urls[0]))
        assert verified.status_code == 200
        assert "This document is genuine" in verified.text


def wait_for_receipt_pdf(stack: Stack) -> str:
    """The key of the first receipt PDF in the bucket, once the documents worker has stored it."""
    s3 = stack.s3()
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="collection/receipts/")
        if listed.get("KeyCount"):
            return str(listed["Contents"][0]["Key"])
        time.sleep(0.5)
    raise AssertionError(f"no receipt PDF in the bucket after {DEADLINE} s")


def applied_events(stack: Stack, payment: str) -> list[str]:
    """The outcomes of the provider events stored for the payment (read straight from the database)."""
    with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT e.outcome FROM collection_paymentevent e"
            " JOIN collection_payment p ON p.payment_ref = e.payment_ref WHERE p.id = %s",
            [payment],
        ).fetchall()
    return [outcome for (outcome,) in rows]


def qr_code_of(pdf: bytes, tmp: Path) -> str:
    """What the QR code printed on the PDF's first page says (pdftoppm, then zbarimg)."""
    (tmp / "receipt.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(tmp / "receipt.pdf"), str(tmp / "receipt")], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp / "receipt.png")],
        check=True,
        capture_output=True,
        text=True,
    )
    return decoded.stdout.strip().splitlines()[0]


def test_a_file_uploaded_through_one_instance_downloads_from_the_other(stack: Stack, people: dict[str, Any]) -> None:
    scan = b"%PDF-1.4\n% a scanned degree, uploaded through instance A\n%%EOF\n" + os.urandom(16).hex().encode()
    with stack.client(0) as a, stack.client(1) as b:
        sign_in(a, people["clerk"], people["clerk_totp"])
        sent = submit(
            a,
            "/datacenter/requests/new/",
            {
                "requesting_entity": people["ministry"],
                "issuing_entity": people["datacentre"],
                "document_type": "degree",
                "document_number": "BGD-2019-44871",
                "document_date": "2019-07-14",
                "holder_name": "أحمد كريم العبيدي",
                "holder_national_id": "199012345678",
                "note": "",
            },
            files={"attachment": ("scan.pdf", scan, "application/pdf")},
        )
        assert sent.status_code == 302, sent.text[:1000]
        detail = sent.headers["Location"].removeprefix(stack.urls[0])
        download = same_browser(a, b).get(f"{detail.rstrip('/')}/scan")
        assert download.status_code == 200
        assert download.content == scan
