"""Stored files through django-storages' S3 backend, against a local S3-compatible server.

No MinIO package exists in this machine's registries, so the S3 endpoint is moto's
server: a real HTTP server speaking the S3 protocol, which boto3 talks to over the network.
"""

import socket
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from govportal.storage_config import s3_storage
from govportal.web import health

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_bucket(settings):
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    ).create_bucket(Bucket="govportal-private")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket="govportal-private", endpoint_url=endpoint, access_key="test", secret_key="test", region="us-east-1"
        ),
    }
    yield endpoint
    server.stop()


def test_files_round_trip_through_s3_and_links_are_signed_and_short_lived(s3_bucket):
    name = default_storage.save("letters/2026/kitab.txt", ContentFile("كتاب رسمي".encode()))
    assert default_storage.exists(name)
    with default_storage.open(name) as stored:
        assert stored.read().decode() == "كتاب رسمي"
    url = urlsplit(default_storage.url(name))
    query = parse_qs(url.query)
    assert url.netloc == urlsplit(s3_bucket).netloc
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == ["300"]
    assert default_storage.default_acl == "private"


def test_a_second_file_with_the_same_name_never_overwrites_the_first(s3_bucket):
    first = default_storage.save("receipts/r.txt", ContentFile(b"one"))
    second = default_storage.save("receipts/r.txt", ContentFile(b"two"))
    assert first != second
    with default_storage.open(first) as stored:
        assert stored.read() == b"one"


def test_healthz_checks_the_s3_bucket(client, s3_bucket, settings):
    assert client.get("/healthz").json()["checks"]["storage"]["ok"] is True
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = {**settings.STORAGES}
    health._memo = None  # the next probe really asks the store again
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
