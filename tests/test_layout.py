"""The project's shape (SPEC §1): the files a newcomer and the deployment rely on."""

import re
from pathlib import Path

import yaml
from django.core.management import call_command

from channelhub.storage import s3_options

BASE_DIR = Path(__file__).resolve().parents[1]


def test_top_level_layout_of_spec_section_1():
    for name in [
        "manage.py",
        "channelhub/settings/base.py",
        "channelhub/settings/local.py",
        "channelhub/settings/production.py",
        "channelhub/settings/test.py",
        "channelhub/urls.py",
        "channelhub/celery.py",
        "channelhub/wsgi.py",
        "channelhub/asgi.py",
        "partners/apps.py",
        "visits/apps.py",
        "kpi/apps.py",
        "templates/base.html",
        "static/css/channelhub.css",
        "requirements.txt",
        "requirements-dev.txt",
        "docker-compose.yml",
        "Dockerfile",
        "README.md",
        "Makefile",
        ".ci/run",
    ]:
        assert (BASE_DIR / name).exists(), name


def test_readme_starts_with_the_two_commands():
    head = (BASE_DIR / "README.md").read_text()[:1500]
    assert "make run" in head and "make test" in head


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (BASE_DIR / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert "==" in line, f"{name}: {line} is not pinned"


def test_docker_compose_has_the_production_shape():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["SECRET_KEY"] == "${SECRET_KEY:-}"  # never a default key in the file


def _with_defaults(value: str) -> str:
    """``${NAME:-default}`` as compose reads it with nothing in the environment."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_docker_compose_keeps_evidence_in_a_private_minio_bucket():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    minio = services["minio"]
    assert minio["image"].startswith("minio/minio")
    assert " ".join(minio["command"]) == "server /data --console-address :9001"
    assert minio["environment"]["MINIO_ROOT_USER"] == "${MINIO_ROOT_USER:-channelhub}"
    assert minio["environment"]["MINIO_ROOT_PASSWORD"].startswith("${MINIO_ROOT_PASSWORD:-")
    assert len(_with_defaults(minio["environment"]["MINIO_ROOT_PASSWORD"])) >= 8  # MinIO's own minimum
    assert any(volume.endswith(":/data") for volume in minio["volumes"])
    assert "miniodata" in compose["volumes"]
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert "ports" not in minio  # the store is reached by the app only
    # the one-shot that makes the bucket private
    bucket = services["createbucket"]
    assert bucket["image"].startswith("minio/mc")
    script = bucket["entrypoint"]
    assert "mc mb --ignore-existing store/channelhub-evidence" in script
    assert "mc anonymous set none store/channelhub-evidence" in script
    assert bucket["depends_on"]["minio"]["condition"] == "service_healthy"
    assert bucket["environment"] == minio["environment"]

    for name in ("web", "worker", "beat"):
        url = services[name]["environment"]["STORAGE_URL"]
        assert url.startswith("s3://${MINIO_ROOT_USER:-channelhub}:${MINIO_ROOT_PASSWORD:-")
        options = s3_options(_with_defaults(url))
        assert options["bucket_name"] == "channelhub-evidence"
        assert options["endpoint_url"] == "http://minio:9000"
        assert options["access_key"] == "channelhub"
        assert options["secret_key"] == _with_defaults(minio["environment"]["MINIO_ROOT_PASSWORD"])
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["minio"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["createbucket"]["condition"] == "service_completed_successfully"


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
