"""The README's demo command ends in ``durchstarten serve``: it must really listen and answer.

Runs the installed ``durchstarten`` entry point as a subprocess on a temporary SQLite file (no demo
seeding: init-db is enough for ``/healthz`` and the login page).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("durchstarten")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - fixed localhost URL
        return response.status, response.read().decode()


@pytest.mark.skipif(not CLI.exists(), reason="durchstarten entry point not installed in this environment")
def test_serve_answers_on_its_port(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    subprocess.run([str(CLI), "init-db"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([str(CLI), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, f"serve exited: {server.stdout.read().decode()}"
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200
        status, body = _get(f"http://127.0.0.1:{port}/anmelden")
        assert status == 200 and "Anmelden" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
