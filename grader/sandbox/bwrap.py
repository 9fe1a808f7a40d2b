"""Building the bubblewrap command line for one student kernel.

What the kernel sees: the system's /usr (read-only), the Python environment of the grader (read-only, at the
same paths), the guard module (read-only), its run folder (read-write: the submission's copy), a private /tmp
(tmpfs), its own /proc, a minimal /dev, and nothing else: no course folder, no gradebook, no other student, no
home. It has its own network namespace (only a loopback with nothing on it), PID, IPC and UTS namespaces, an
empty environment, and dies with the grader. As root it runs as a dedicated unprivileged uid per worker slot;
without root, bubblewrap's user namespace keeps the instructor's own uid.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from grader.errors import SandboxError

INSTALL_HINT = ("bubblewrap is not installed: install it with 'sudo apt-get install -y bubblewrap' "
                "(Debian/Ubuntu) or 'sudo dnf install -y bubblewrap', or pass --no-sandbox for trusted "
                "submissions only")
GUARD_DIR = "/opt/grader-guard"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student kernel."""

    memory_bytes: int = 6 * 1024**3
    cpu_seconds: int = 1800
    max_processes: int = 256
    max_file_bytes: int = 256 * 1024**2
    tmp_bytes: int = 512 * 1024**2


def python_roots() -> list[Path]:
    """Folders holding the interpreter and packages the kernel needs (read-only inside)."""
    candidates = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            candidates.add(Path(path))
    roots: list[Path] = []
    for path in sorted(candidates, key=lambda p: len(p.parts)):
        if path.exists() and not any(path == r or r in path.parents for r in roots) and str(path) != "/usr":
            roots.append(path)
    return roots


def _parents(path: Path) -> list[str]:
    args: list[str] = []
    for parent in reversed(path.parents):
        if str(parent) in ("/", "/usr"):
            continue
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def build_command(argv: list[str], *, run_dir: Path, kernel_dir: Path, guard_file: Path, limits: Limits,
                  uid: int | None, env: dict[str, str], python_dirs: list[Path] | None = None) -> list[str]:
    """The full command: prlimit (resource limits) → bwrap (namespaces, mounts) → setpriv (uid) → argv.

    ``uid`` None: no root here, so bubblewrap makes a user namespace and the kernel keeps the caller's uid.
    ``python_dirs``: read-only folders of the Python environment (default: this interpreter's).
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError(INSTALL_HINT)
    prlimit = shutil.which("prlimit") or "/usr/bin/prlimit"
    # RLIMIT_NPROC counts every process of the real uid: the dedicated uid has none; without root, the
    # instructor's own processes count too, so the allowance comes on top of them.
    nproc = limits.max_processes if uid is not None else limits.max_processes + _own_processes()
    cmd = [prlimit, f"--as={limits.memory_bytes}", f"--cpu={limits.cpu_seconds}",
           f"--nproc={nproc}", f"--fsize={limits.max_file_bytes}", "--core=0", "--"]
    cmd += [bwrap, "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-net",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grader-sandbox"]
    if uid is None:
        cmd += ["--unshare-user"]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            cmd += ["--ro-bind", str(target), str(target)]
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/ssl/certs"):
        if Path(etc).exists():
            cmd += ["--ro-bind", etc, etc]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    for root in python_roots() if python_dirs is None else python_dirs:
        cmd += _parents(root) + ["--ro-bind", str(root), str(root)]
    cmd += ["--perms", "0755", "--dir", GUARD_DIR, "--ro-bind", str(guard_file), f"{GUARD_DIR}/{guard_file.name}"]
    for folder in (run_dir, kernel_dir):
        cmd += _parents(folder) + ["--bind", str(folder), str(folder)]
    cmd += ["--chdir", str(run_dir), "--clearenv"]
    for key, value in sorted(env.items()):
        cmd += ["--setenv", key, value]
    if uid is not None:
        setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
        cmd += ["--", setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs"]
    return cmd + ["--", *argv]


def _own_processes() -> int:
    me = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == me
            except OSError:
                continue
    return count


def kernel_env(home: Path) -> dict[str, str]:
    """The whole environment of a student kernel: nothing inherited from the grader (no tokens)."""
    bindir = str(Path(sys.executable).parent)
    return {"HOME": str(home), "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "NBGRADER_EXECUTION": "autograde"}


@lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """None when the sandbox works on this machine, else what is wrong and how to fix it."""
    if shutil.which("bwrap") is None:
        return INSTALL_HINT
    probe = [shutil.which("bwrap") or "bwrap", "--unshare-net", "--unshare-pid", "--ro-bind", "/", "/",
             "--proc", "/proc", "--dev", "/dev"]
    if os.geteuid() != 0:
        probe.insert(1, "--unshare-user")
    try:
        result = subprocess.run([*probe, "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start: {exc}"
    if result.returncode != 0:
        return (f"bubblewrap cannot create namespaces here ({result.stderr.strip()}); enable unprivileged user "
                "namespaces (sysctl kernel.unprivileged_userns_clone=1) or run as root; or pass --no-sandbox for "
                "trusted submissions only")
    return None
