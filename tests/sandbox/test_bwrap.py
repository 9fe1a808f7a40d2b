"""The bubblewrap command line, read as data: what the kernel may see, who it runs as, what limits it has.
None of these runs bubblewrap (tests/autograde/test_sandbox_command.py runs the real thing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.errors import SandboxError
from grader.sandbox import bwrap
from grader.sandbox.bwrap import GUARD_DIR, Limits, build_command


@pytest.fixture(autouse=True)
def tools(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = {"bwrap": "/usr/bin/bwrap", "prlimit": "/usr/bin/prlimit", "setpriv": "/usr/bin/setpriv"}
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: paths.get(name))
    monkeypatch.setattr(bwrap, "_own_processes", lambda: 40)


def command(tmp_path: Path, uid: int | None, **kw: object) -> list[str]:
    run_dir, kernel_dir = tmp_path / "run", tmp_path / "k"
    guard = tmp_path / "src" / "guard.py"
    return build_command(["python", "-m", "ipykernel_launcher"], run_dir=run_dir, kernel_dir=kernel_dir,
                         guard_file=guard, limits=Limits(**kw), uid=uid, env={"HOME": str(run_dir), "A": "1"},
                         python_dirs=[Path("/opt/py")])


def pairs(cmd: list[str], flag: str) -> list[tuple[str, str]]:
    return [(cmd[i + 1], cmd[i + 2]) for i, word in enumerate(cmd) if word == flag]


def test_limits_come_first_through_prlimit(tmp_path: Path) -> None:
    cmd = command(tmp_path, 60001, memory_bytes=1000, cpu_seconds=7, max_processes=9, max_file_bytes=55)
    assert cmd[:7] == ["/usr/bin/prlimit", "--as=1000", "--cpu=7", "--nproc=9", "--fsize=55", "--core=0", "--"]


def test_without_root_the_process_allowance_comes_on_top_of_the_users_own(tmp_path: Path) -> None:
    cmd = command(tmp_path, None, max_processes=9)
    assert "--nproc=49" in cmd and "--unshare-user" in cmd
    assert "/usr/bin/setpriv" not in cmd


def test_as_root_the_kernel_drops_to_the_given_uid_with_no_capabilities(tmp_path: Path) -> None:
    cmd = command(tmp_path, 60003)
    tail = cmd[cmd.index("/usr/bin/setpriv"):]
    assert tail[:7] == ["/usr/bin/setpriv", "--reuid=60003", "--regid=60003", "--clear-groups", "--inh-caps=-all",
                        "--bounding-set=-all", "--no-new-privs"]
    assert tail[-4:] == ["--", "python", "-m", "ipykernel_launcher"]
    assert "--unshare-user" not in cmd


def test_every_namespace_is_new_and_it_dies_with_the_grader(tmp_path: Path) -> None:
    cmd = command(tmp_path, 60001)
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
                 "--new-session"):
        assert flag in cmd, flag


def test_only_its_own_folders_are_writable_and_the_environment_is_only_what_was_given(tmp_path: Path) -> None:
    cmd = command(tmp_path, 60001)
    writable = pairs(cmd, "--bind")
    assert writable == [(str(tmp_path / "run"), str(tmp_path / "run")), (str(tmp_path / "k"), str(tmp_path / "k"))]
    read_only = dict(pairs(cmd, "--ro-bind"))
    assert read_only["/opt/py"] == "/opt/py"
    assert read_only[str(tmp_path / "src" / "guard.py")] == f"{GUARD_DIR}/guard.py"
    assert not any(str(tmp_path) == src for src in read_only)  # the course folder itself is never mounted
    assert "--clearenv" in cmd
    assert pairs(cmd, "--setenv") == [("A", "1"), ("HOME", str(tmp_path / "run"))]
    assert cmd[cmd.index("--chdir") + 1] == str(tmp_path / "run")


def test_tmp_is_a_private_tmpfs_of_the_configured_size(tmp_path: Path) -> None:
    cmd = command(tmp_path, 60001, tmp_bytes=4096)
    at = cmd.index("--tmpfs")
    assert cmd[at + 1] == "/tmp" and cmd[at - 2:at] == ["--size", "4096"]


def test_no_bubblewrap_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    with pytest.raises(SandboxError, match="apt-get install -y bubblewrap"):
        command(tmp_path, 60001)
