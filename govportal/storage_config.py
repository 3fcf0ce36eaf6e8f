"""The S3 storage definition, shared by settings and the tests that run it against a real endpoint."""

from typing import Any


def s3_storage(
    *, bucket: str, endpoint_url: str | None, access_key: str | None, secret_key: str | None, region: str
) -> dict[str, Any]:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": region,
            "signature_version": "s3v4",
            # Private by default: objects are reachable only through permission-checked views
            # (which stream them or hand out a short-lived signed URL), never a public link.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
