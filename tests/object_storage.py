"""A real S3-compatible server on 127.0.0.1 (moto's, in a thread of the test process) and a
fresh bucket per test that the product's default storage points at, as STORAGE_S3_BUCKET
and AWS_S3_ENDPOINT_URL would make it (config/settings_storage.py)."""

import secrets

import boto3
import pytest
from moto.server import ThreadedMotoServer

CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_storage_settings(endpoint: str, bucket: str) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": REGION,
            "access_key": CREDENTIALS["aws_access_key_id"],
            "secret_key": CREDENTIALS["aws_secret_access_key"],
            "default_acl": None,
            "file_overwrite": False,
        },
    }


class Bucket:
    def __init__(self, endpoint: str, name: str):
        self.name = name
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)
        self.client.create_bucket(Bucket=name)

    def keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def body(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_bucket(s3_endpoint, settings, tmp_path):
    """The default storage on a new bucket; MEDIA_ROOT an empty folder that must stay so."""
    bucket = Bucket(s3_endpoint, f"attachments-{secrets.token_hex(6)}")
    settings.MEDIA_ROOT = bucket.media_root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_settings(s3_endpoint, bucket.name),
    }
    return bucket


def local_files(media_root) -> list:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
