"""Files on an S3-compatible store (SPEC §13): a real S3 API (moto's server, on a local port) configured
through ``channelhub.storage.default_storage`` — the function the settings use for ``STORAGE_URL`` — and
the URL parsing itself."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from channelhub import storage
from evidence.models import Attachment
from tests.evidence.conftest import stored_files
from tests.evidence.files import executable_bytes, photo_bytes, upload

BUCKET = "channelhub-evidence"


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free local port, with the bucket made; stopped when the module ends."""
    pytest.importorskip("moto", reason="needs the moto package (requirements-dev.txt: moto[s3]) for a local S3 API")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = _client(endpoint)
        client.create_bucket(Bucket=BUCKET)
        yield {"endpoint": endpoint, "host": host, "port": port, "client": client}
    finally:
        server.stop()


def _client(endpoint: str):
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )


@pytest.fixture
def on_s3(s3_server):
    """The default storage is the bucket, configured from a ``STORAGE_URL`` as the settings do it."""
    url = f"s3://test:test@{s3_server['host']}:{s3_server['port']}/{BUCKET}?secure=false&region=us-east-1"
    default = storage.default_storage(url)
    with override_settings(STORAGES={"default": default, "staticfiles": settings.STORAGES["staticfiles"]}):
        from django.core.files.storage import storages
        from storages.backends.s3 import S3Storage

        assert isinstance(storages["default"], S3Storage)
        yield s3_server["client"]


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_photos_and_their_copies_go_to_the_bucket_and_come_back(
    on_s3, rep, visit, post_photos, api_as, django_capture_on_commit_callbacks
):
    client = on_s3
    content = photo_bytes(colour=(uuid.uuid4().int % 256, 10, 10))
    local_before = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photos(rep, visit, upload(content, "shop.jpg"))
    assert response.status_code == 201
    attachment = Attachment.objects.get(pk=response.json()[0]["id"])
    assert attachment.rendered_at is not None

    # the original, byte for byte, under its server-made name
    stored = client.get_object(Bucket=BUCKET, Key=attachment.file.name)
    kept = stored["Body"].read()
    assert kept == content and hashlib.sha256(kept).hexdigest() == attachment.sha256
    assert stored["ContentLength"] == len(content)
    # the copy and the thumbnail too
    for field in (attachment.copy, attachment.thumbnail):
        head = client.head_object(Bucket=BUCKET, Key=field.name)
        assert head["ContentLength"] > 0
    assert {attachment.file.name, attachment.copy.name, attachment.thumbnail.name} <= keys(client)
    # nothing went to the local directory
    assert stored_files() == local_before

    # and the scoped download streams it back from the bucket
    download = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    copy = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/copy/")
    assert b"".join(copy.streaming_content) == client.get_object(Bucket=BUCKET, Key=attachment.copy.name)["Body"].read()


def test_objects_are_private(on_s3, rep, visit, post_photos):
    client = on_s3
    response = post_photos(rep, visit, upload(photo_bytes(colour=(3, 200, 3)), "private.jpg"))
    name = Attachment.objects.get(pk=response.json()[0]["id"]).file.name
    grants = client.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    public = [g for g in grants if g["Grantee"].get("URI", "").endswith(("/AllUsers", "/AuthenticatedUsers"))]
    assert public == []


def test_a_refused_upload_stores_nothing_in_the_bucket(on_s3, rep, visit, post_photos):
    client = on_s3
    before = keys(client)
    good, bad = upload(photo_bytes(colour=(7, 7, 99)), "ok.jpg"), upload(executable_bytes(), "photo.jpg")
    response = post_photos(rep, visit, good, bad)
    assert response.status_code == 400
    assert keys(client) == before
    assert Attachment.objects.count() == 0


# --- STORAGE_URL and AWS_* ----------------------------------------------------------------------------------


def test_nothing_set_is_the_local_file_system():
    assert storage.default_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storage.default_storage("", "") == storage.LOCAL


def test_a_minio_url_names_endpoint_bucket_keys_and_region():
    options = storage.s3_options(
        "s3://channelhub:s%40cret%2Fx@minio:9000/channelhub-evidence?secure=false&region=cn-east-1"
    )
    assert options == {
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "bucket_name": "channelhub-evidence",
        "endpoint_url": "http://minio:9000",
        "access_key": "channelhub",
        "secret_key": "s@cret/x",  # percent-encoded in the URL
        "region_name": "cn-east-1",
    }


def test_https_is_the_default():
    assert storage.s3_options("s3://k:s@store.example.com/b")["endpoint_url"] == "https://store.example.com"
    assert storage.s3_options("s3://k:s@store.example.com:8443/b?secure=true")["endpoint_url"] == (
        "https://store.example.com:8443"
    )


def test_without_a_host_it_is_aws_with_the_sdks_credentials():
    options = storage.s3_options("s3:///channelhub-evidence")
    assert options["bucket_name"] == "channelhub-evidence"
    assert "endpoint_url" not in options and "access_key" not in options and "secret_key" not in options


def test_a_url_makes_the_s3_backend():
    made = storage.default_storage("s3://k:s@minio:9000/b?secure=false")
    assert made["BACKEND"] == "storages.backends.s3.S3Storage"
    assert made["OPTIONS"]["bucket_name"] == "b" and made["OPTIONS"]["default_acl"] is None


def test_the_aws_variables_make_the_s3_backend_when_there_is_no_url():
    made = storage.default_storage(
        "",
        "channelhub-evidence",
        endpoint_url="http://minio:9000",
        access_key="k",
        secret_key="s",
        region_name="",  # unset: left out, boto3 decides
    )
    assert made == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **storage.S3_DEFAULTS,
            "bucket_name": "channelhub-evidence",
            "endpoint_url": "http://minio:9000",
            "access_key": "k",
            "secret_key": "s",
        },
    }


def test_the_url_wins_over_the_aws_variables():
    made = storage.default_storage("s3://k:s@minio:9000/from-url?secure=false", "from-aws")
    assert made["OPTIONS"]["bucket_name"] == "from-url"


@pytest.mark.parametrize(
    "url",
    [
        "http://minio:9000/bucket",  # not s3://
        "minio:9000/bucket",
        "s3://k:s@minio:9000",  # no bucket
        "s3://k:s@minio:9000/",
        "s3://k:s@minio:9000/bucket/folder",  # a path inside a bucket
    ],
)
def test_a_bad_url_is_improperly_configured(url):
    with pytest.raises(ImproperlyConfigured):
        storage.s3_options(url)
    with pytest.raises(ImproperlyConfigured):
        storage.default_storage(url)


def test_the_settings_use_the_same_function():
    # the test settings set neither STORAGE_URL nor AWS_STORAGE_BUCKET_NAME: local files
    assert settings.STORAGES["default"] == storage.LOCAL
    assert settings.DEFAULT_FILE_STORAGE_SETTING == storage.LOCAL
