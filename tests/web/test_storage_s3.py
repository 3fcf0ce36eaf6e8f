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

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_storage(settings):
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
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "govportal-private",
                "endpoint_url": endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    yield endpoint
    server.stop()


def test_files_round_trip_through_s3_and_links_are_signed_and_short_lived(s3_storage):
    name = default_storage.save("letters/2026/kitab.txt", ContentFile("كتاب رسمي".encode()))
    assert default_storage.exists(name)
    with default_storage.open(name) as stored:
        assert stored.read().decode() == "كتاب رسمي"
    url = urlsplit(default_storage.url(name))
    query = parse_qs(url.query)
    assert url.netloc == urlsplit(s3_storage).netloc
    assert "X-Amz-Signature" in query
    assert query["X-Amz-Expires"] == ["300"]


def test_a_second_file_with_the_same_name_never_overwrites_the_first(s3_storage):
    first = default_storage.save("receipts/r.txt", ContentFile(b"one"))
    second = default_storage.save("receipts/r.txt", ContentFile(b"two"))
    assert first != second
    with default_storage.open(first) as stored:
        assert stored.read() == b"one"


def test_healthz_checks_the_s3_bucket(client, s3_storage, settings):
    assert client.get("/healthz").json()["checks"]["storage"]["ok"] is True
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "no-such-bucket"
    settings.STORAGES = {**settings.STORAGES}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False
