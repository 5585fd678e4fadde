"""Where uploaded files live (SPEC §13): the settings' ``STORAGES["default"]`` from the environment.

* Nothing set: the local file system under ``MEDIA_ROOT`` (``make run`` needs nothing more).
* ``STORAGE_URL=s3://KEY:SECRET@host:port/bucket?region=…&secure=false`` — any S3-compatible store
  (MinIO in ``docker-compose.yml``); ``secure=false`` talks plain HTTP to a store on a private network.
  ``STORAGE_URL=s3:///bucket`` (no host) means AWS itself, with the credentials the AWS SDK finds.
* Or django-storages' own ``AWS_STORAGE_BUCKET_NAME`` (with ``AWS_S3_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_S3_REGION_NAME``), used when ``STORAGE_URL`` is not set.

Files are private either way: no public ACL, no public media URL; a scoped view streams them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_BACKEND = "storages.backends.s3.S3Storage"
#: Private objects, never overwritten, path-style addressing (MinIO and most S3-compatible stores).
S3_DEFAULTS = {
    "default_acl": None,
    "querystring_auth": True,
    "file_overwrite": False,
    "addressing_style": "path",
    "signature_version": "s3v4",
}


def s3_options(url: str) -> dict:
    """The S3Storage options a ``STORAGE_URL`` names (``ImproperlyConfigured`` for a bad one)."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(f"STORAGE_URL must start with s3:// (got {parts.scheme or 'nothing'}://).")
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise ImproperlyConfigured("STORAGE_URL names no bucket: s3://KEY:SECRET@host:port/bucket")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options = {**S3_DEFAULTS, "bucket_name": bucket}
    if parts.hostname:
        secure = query.get("secure", "true").lower() not in ("0", "false", "no", "off")
        port = f":{parts.port}" if parts.port else ""
        options["endpoint_url"] = f"{'https' if secure else 'http'}://{parts.hostname}{port}"
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    if "region" in query:
        options["region_name"] = query["region"]
    return options


def default_storage(url: str = "", bucket: str = "", **aws) -> dict:
    """``STORAGES["default"]``: S3 when ``url`` (``STORAGE_URL``) or ``bucket`` (``AWS_STORAGE_BUCKET_NAME``)
    is set, else the local file system. ``aws``: endpoint_url, access_key, secret_key, region_name."""
    if url:
        return {"BACKEND": S3_BACKEND, "OPTIONS": s3_options(url)}
    if bucket:
        extra = {key: value for key, value in aws.items() if value}
        return {"BACKEND": S3_BACKEND, "OPTIONS": {**S3_DEFAULTS, "bucket_name": bucket, **extra}}
    return LOCAL
