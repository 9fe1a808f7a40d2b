"""The sandbox command itself, run for real: what a process inside sees and cannot do, as root (dedicated uid)
and as an ordinary user (bubblewrap's user namespace), the way an instructor without root runs it."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox.bwrap import Limits, build_command, kernel_env
from grader.sandbox.kernel import stage_guard

from .conftest import requires_sandbox

SYSTEM_PYTHON = Path("/usr/bin/python3")
pytestmark = [requires_sandbox, pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="needs /usr/bin/python3")]
UNPRIVILEGED = 65534  # nobody

PROBE = """
import json, os, socket, sys
report = {"uid": os.getuid(), "env": sorted(os.environ), "cwd": os.getcwd()}
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).close()
    report["network"] = "reached"
except OSError as exc:
    report["network"] = type(exc).__name__
report["sees"] = {p: os.path.exists(p) for p in sys.argv[2:]}
open("note.txt", "w").write("written")
try:
    open("/usr/owned.txt", "w")
    report["usr_writable"] = True
except OSError:
    report["usr_writable"] = False
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[int]]]:
    hits: list[int] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(1)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1], hits
    httpd.shutdown()


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder an ordinary user can reach (pytest's own temporary root is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="grader-sbx-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_probe(tmp_path: Path, port: int, *, as_user: int | None) -> dict:
    run_dir, kernel_dir = tmp_path / "run", tmp_path / "kernel"
    owner = as_user if as_user is not None else 61999
    for folder in (run_dir, kernel_dir):
        folder.mkdir()
        os.chown(folder, owner, owner)
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden tests")
    cmd = build_command([str(SYSTEM_PYTHON), "-c", PROBE, str(port), str(secret), "/root", "/work"],
                        run_dir=run_dir, kernel_dir=kernel_dir, guard_file=stage_guard(tmp_path), limits=Limits(),
                        uid=None if as_user is not None else 61999, env=kernel_env(run_dir), python_dirs=[])
    if as_user is not None:  # an instructor without root: the whole command runs as an ordinary user
        cmd = [shutil.which("setpriv") or "setpriv", f"--reuid={as_user}", f"--regid={as_user}", "--clear-groups",
               "--", *cmd]
    env = {"PATH": "/usr/bin:/bin", "GITHUB_TOKEN": "ghp_must_not_leak"}
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["note"] = (run_dir / "note.txt").read_text()
    return report


@pytest.mark.skipif(os.geteuid() != 0, reason="the dedicated-uid mode needs root")
def test_as_root_the_kernel_runs_as_a_dedicated_unprivileged_uid(scratch: Path, server: tuple) -> None:
    report = run_probe(scratch, server[0], as_user=None)
    assert report["uid"] == 61999
    check_isolation(report, server)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to an ordinary user needs root in the test")
def test_without_root_bubblewrap_user_namespace_isolates_the_same_way(scratch: Path, server: tuple) -> None:
    report = run_probe(scratch, server[0], as_user=UNPRIVILEGED)
    assert report["uid"] == UNPRIVILEGED
    check_isolation(report, server)


def check_isolation(report: dict, server: tuple) -> None:
    port, hits = server
    assert report["network"] in ("ConnectionRefusedError", "OSError", "TimeoutError") and not hits
    assert not any(report["sees"].values()), report["sees"]
    assert "GITHUB_TOKEN" not in report["env"] and "HOME" in report["env"]
    assert report["usr_writable"] is False
    assert report["note"] == "written"
