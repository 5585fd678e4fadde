"""Real processes for the tests that need them: a private ``redis-server`` and a Celery worker.

* ``RedisServer`` — ``redis-server`` on a free port of its own (no persistence, not daemonized), so a
  test may stop and start it without touching the machine's Redis.
* ``start_worker`` — ``celery -A channelhub worker`` (through ``app.worker_main``) on a queue of its own,
  against the test database, in a process group of its own (``Worker.kill`` kills it as a machine would:
  the main process and its pool at once, without a warm shutdown).
* ``celery_sends_to`` — this process sends tasks to that broker and queue (not eagerly) for the length
  of a ``with`` block, and goes back to eager afterwards.
* ``wait_for_run`` — poll a commission run until it is finished (no fixed sleeps).

Test-only hooks of the worker (environment variables read by ``LAUNCHER``, never by product code):

* ``CHANNELHUB_TEST_HOLD_DIR`` / ``CHANNELHUB_TEST_HOLD_SECONDS`` — while writing a rep's draft, after
  its statement row and before its lines, touch ``<dir>/<rep id>`` and wait: a test can kill the worker
  in the middle of a rep's transaction;
* ``CHANNELHUB_TEST_FAIL_ONCE_DIR`` — the first time a rep's lines are written, raise the database's
  ``OperationalError`` instead (after the statement row): a connection lost mid-write;
* ``CHANNELHUB_TEST_VISIBILITY_TIMEOUT`` — hand out again, after this many seconds, tasks that a dead
  worker took and never acknowledged (``acks_late``; an hour in the settings).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection

from channelhub.celery import app
from commissions import tasks
from commissions.models import CommissionRun

ROOT = Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server")
requires_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs the redis-server binary on PATH (Debian: apt install redis-server; CI has it)"
)

_MISSING = object()

LAUNCHER = """
import os
import sys
import time
from pathlib import Path

import django

from channelhub.celery import app

queue, chunk_size, concurrency = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app.conf.task_default_queue = queue
visibility = os.environ.get("CHANNELHUB_TEST_VISIBILITY_TIMEOUT")
if visibility:
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(visibility),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
django.setup()
from django.db import OperationalError  # noqa: E402

from commissions.services import runs

runs.CHUNK_SIZE = chunk_size
write_lines = runs._write_lines
hold_dir, hold = os.environ.get("CHANNELHUB_TEST_HOLD_DIR"), float(os.environ.get("CHANNELHUB_TEST_HOLD_SECONDS", 0))
fail_dir = os.environ.get("CHANNELHUB_TEST_FAIL_ONCE_DIR")


def hooked_write_lines(pairs, *args, **kwargs):
    # the lines of a chunk's drafts are written at once: hold, or fail once, for each rep of the chunk
    for statement, _drafts in pairs:
        if hold_dir:
            Path(hold_dir, str(statement.rep_id)).touch()
            time.sleep(hold)
        if fail_dir:
            try:
                os.close(os.open(Path(fail_dir, str(statement.rep_id)), os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass
            else:
                raise OperationalError("test: the database connection was lost while writing the lines")
    return write_lines(pairs, *args, **kwargs)


runs._write_lines = hooked_write_lines
app.worker_main(
    ["worker", "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h",
     "--without-gossip", "--without-mingle", "--without-heartbeat"]
)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """``redis-server`` on 127.0.0.1:``port`` (a free one by default); ``start`` waits until it answers."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10) -> RedisServer:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--daemonize", "no", "--dir", tempfile.gettempdir()]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Terminate the server and wait until the port refuses connections."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def worker_database_url() -> str:
    """The database pytest-django made for this session, as a URL for the worker's settings."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def new_queue() -> str:
    return f"channelhub-test-{uuid.uuid4().hex[:10]}"


class Worker:
    """A worker process (group) started by ``start_worker``."""

    def __init__(self, process: subprocess.Popen, queue: str, log_path: str) -> None:
        self.process, self.queue, self.log_path = process, queue, log_path

    def poll(self) -> int | None:
        return self.process.poll()

    def log_tail(self, size: int = 4000) -> str:
        return Path(self.log_path).read_text(errors="replace")[-size:]

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once (a machine or container dying)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """At the end of a test: the worker is idle and its queue is the test's own, so there is nothing to
        finish — the whole group is killed (a warm shutdown takes seconds)."""
        if self.process.poll() is None:
            self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # pool processes left behind by an earlier exit, if any
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)


def start_worker(
    broker_url: str, *, queue: str | None = None, chunk_size: int = 1, concurrency: int = 2, **hooks: str
) -> Worker:
    """A worker on ``queue`` (a new one by default) of ``broker_url``, computing chunks of ``chunk_size``
    reps; ``hooks`` are the ``CHANNELHUB_TEST_*`` variables above, e.g. ``CHANNELHUB_TEST_HOLD_DIR=…``."""
    queue = queue or new_queue()
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "channelhub.settings.local",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CONN_MAX_AGE": "0",
        "DEBUG": "false",
        **hooks,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, queue, str(chunk_size), str(concurrency)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own: ``kill`` reaches the pool too
    )
    log.close()
    return Worker(process, queue, log.name)


def reset_celery_connections() -> None:
    """Forget this process's broker connections and result store, so that the next task sent connects
    to the broker configured now."""
    backend = app._backend_cache or getattr(app._local, "backend", None)
    if backend is not None and getattr(backend, "result_consumer", None) is not None:
        with contextlib.suppress(Exception):
            backend.result_consumer.stop()
    app._backend_cache = None
    with contextlib.suppress(AttributeError):
        del app._local.backend
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    kombu.pools.reset()


@contextlib.contextmanager
def celery_sends_to(broker_url: str, queue: str) -> Iterator[None]:
    """Within the block, this process sends tasks to ``broker_url`` (broker and result store), not eagerly,
    and a run's first task to ``queue``; afterwards it is eager again as the test settings say.

    Celery reads ``CELERY_BROKER_URL``/``CELERY_RESULT_BACKEND`` from the environment before its settings,
    so both are set there too."""
    saved_env = {name: os.environ.get(name) for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    saved_settings = {
        name: getattr(settings, name)
        for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER")
    }
    changes = app.conf.maps[0]  # what ``app.conf.update`` wrote (it shadows the Django settings)
    saved_eager = changes.get("task_always_eager", _MISSING)
    delay = tasks.run_commissions.__dict__.get("delay", _MISSING)
    os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_RESULT_BACKEND"] = broker_url
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False)
    tasks.run_commissions.delay = lambda run_id: tasks.run_commissions.apply_async((run_id,), queue=queue)
    reset_celery_connections()
    try:
        yield
    finally:
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, value in saved_settings.items():
            setattr(settings, name, value)
        if saved_eager is _MISSING:
            del app.conf["task_always_eager"]
        else:
            app.conf.update(task_always_eager=saved_eager)
        if delay is _MISSING:
            del tasks.run_commissions.delay
        else:
            tasks.run_commissions.delay = delay
        reset_celery_connections()


def wait_for(condition, *, timeout: float, what: str, worker: Worker | None = None):
    """Poll ``condition()`` every 0.1 s until it answers something true (answered); fail after ``timeout``
    seconds, or as soon as ``worker`` has died, with the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = condition()
        if answer:
            return answer
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.1)
    log = worker.log_tail() if worker is not None else ""
    exit_code = worker.poll() if worker is not None else None
    pytest.fail(f"{what}: not within {timeout} s (worker exit code {exit_code}):\n{log}")


def wait_for_run(run_id: int, worker: Worker, timeout: float = 60) -> CommissionRun:
    """The run, once it is ``done`` or ``failed``."""

    def finished():
        run = CommissionRun.objects.get(pk=run_id)
        return run if run.status in (CommissionRun.Status.DONE, CommissionRun.Status.FAILED) else None

    return wait_for(finished, timeout=timeout, what=f"run {run_id} finished", worker=worker)
