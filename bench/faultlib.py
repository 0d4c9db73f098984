"""Helpers of the fault scripts: fresh databases, a gunicorn server, a throwaway PostgreSQL cluster."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))  # the project's environment, activated or not
PGBIN = next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"))), "/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(base: str | None, label: str):
    """(url, drop) for a fresh SQLite file or a fresh PostgreSQL database on the server of ``base``."""
    if base and base.startswith("postgresql"):
        name = f"{label}_{secrets.token_hex(4)}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return base.rsplit("/", 1)[0] + "/" + name, drop
    return f"sqlite:///{tempfile.mkdtemp()}/{label}.db", lambda: None


class Server:
    """``gunicorn -w N "app:create_app()"`` on a free port; ``workers()`` lists the worker pids."""

    def __init__(self, url: str, *, workers: int = 2, today: str = "2022-06-15", timeout: int = 120,
                 env: dict | None = None, root: Path = ROOT) -> None:
        """``env``: more settings for the workers (e.g. ``UPLOAD_FOLDER`` shared with a scheduler process);
        ``root``: the source tree the workers import ``app`` from (another checkout, to compare versions)."""
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "FAKE_TODAY": today, "DURCHSTARTEN_INSTANCE": tempfile.mkdtemp(),
               **(env or {})}
        self.process = subprocess.Popen(
            [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "error",
             "--timeout", str(timeout), "app:create_app()"], cwd=root, env=env, stderr=subprocess.DEVNULL)
        self.wait_ready()

    def wait_ready(self, workers: int = 0) -> None:
        """Until /healthz answers (after a kill: gunicorn has booted new workers)."""
        for _ in range(600):
            if self.call("GET", "/healthz", timeout=2)[0] == 200:
                return
            time.sleep(0.1)
        raise RuntimeError("gunicorn does not answer")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill_workers(self) -> list[int]:
        pids = self.workers()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def call(self, method: str, path: str, body=None, headers=None, *, raw: bytes | None = None,
             timeout: float = 60) -> tuple[int, dict | None, dict]:
        """(status, JSON body or None, headers); status 0 when the connection failed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
            conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
            response = conn.getresponse()
            payload = response.read()
            try:
                parsed = json.loads(payload) if payload else None
            except ValueError:
                parsed = None
            return response.status, parsed, dict(response.getheaders())
        except (OSError, http.client.HTTPException):
            return 0, None, {}
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Cluster:
    """A throwaway PostgreSQL cluster (initdb, fsync off) on a free port; never the shared server."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="bench_pg_")
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(f"{PGBIN}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "-N")
        self.start()

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run(prefix + list(command), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run(f"{PGBIN}/pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(f"{PGBIN}/pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
