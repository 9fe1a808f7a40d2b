"""Starting the student kernel inside the sandbox, and executing with capped output.

``SandboxedKernelManager`` talks to the kernel over IPC sockets in a folder both sides see (the kernel has no
network at all), and wraps the kernel command in the bubblewrap command of ``bwrap.build_command``.
``SandboxedExecute`` is nbgrader's Execute stage using that manager, with the guard loaded first and every
cell's output capped.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Int, Unicode

from grader.sandbox.bwrap import GUARD_DIR, Limits, build_command, kernel_env

GUARD_FILE = Path(__file__).with_name("guard.py")


def stage_guard(folder: Path) -> Path:
    """A copy of the guard in ``folder`` (readable by the sandbox's user), for bubblewrap to mount read-only:
    the package itself may sit in a folder only its owner can read (a clone under /root, mode 0700)."""
    target = folder / "guard" / GUARD_FILE.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.parent.chmod(0o755)
    shutil.copyfile(GUARD_FILE, target)
    target.chmod(0o444)
    return target


def guard_lines(guard_dir: str | None = None) -> list[str]:
    """Kernel start-up lines that load the guard before any cell (from the sandbox's read-only copy)."""
    folder = guard_dir or GUARD_DIR
    return [f"import sys as _s; _s.path.insert(0, {folder!r}); import guard as _g; _g.install(); "
            "_s.path.pop(0); del _g, _s"]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs inside bubblewrap and listens on IPC sockets."""

    run_dir = Unicode(help="The submission's run folder: the kernel's working directory, writable.").tag(config=True)
    kernel_dir = Unicode(help="Folder for the connection file and IPC sockets, shared with the host.").tag(
        config=True)
    uid = Int(-1, help="Unprivileged uid for the kernel (as root); -1 keeps the caller's uid in a user "
              "namespace.").tag(config=True)
    limits = Dict(help="Limits overrides (field of bwrap.Limits -> value).").tag(config=True)
    guard_key_file = Unicode("", help="File holding this run's guard key (read and deleted by the guard).").tag(
        config=True)
    guard_key = Unicode("", help="Hex of this run's guard key, written to guard_key_file before each kernel "
                        "starts (an assignment with two notebooks starts two kernels).").tag(config=True)
    guard_cells_file = Unicode("", help="File naming the test cells for the guard (read and deleted by it).").tag(
        config=True)
    sandbox = Bool(True, help="False runs the kernel unsandboxed (trusted submissions only).").tag(config=True)
    log_file = Unicode("", help="Where the kernel's own output goes (its banner, warnings, crashes): the job's "
                       "log, not the grader's terminal. '' leaves it on the terminal.").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.sandbox:
            Path(self.kernel_dir).mkdir(parents=True, exist_ok=True)
            self.transport = "ipc"
            self.ip = str(Path(self.kernel_dir) / "kernel")
            self.connection_file = str(Path(self.kernel_dir) / f"kernel-{secrets.token_hex(4)}.json")

    @property
    def kernel_spec(self) -> Any:
        spec = super().kernel_spec
        if spec is not None and self.sandbox:
            # a signal cannot cross into the sandbox's PID namespace: interrupt over the control channel
            spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.sandbox:
            return cmd
        if cmd and Path(cmd[0]).name.startswith("python"):
            cmd[0] = sys.executable
        return build_command(cmd, run_dir=Path(self.run_dir), kernel_dir=Path(self.kernel_dir),
                             guard_file=stage_guard(Path(self.kernel_dir)), limits=Limits(**self.limits),
                             uid=None if self.uid < 0 else self.uid, env=self._kernel_env())

    def _kernel_env(self) -> dict[str, str]:
        """The kernel's whole environment: the grader's (tokens included) never reaches it, sandboxed or not."""
        env = kernel_env(Path(self.run_dir) if self.run_dir else Path.cwd())
        if self.guard_key_file:
            env["GRADER_GUARD_KEY_FILE"] = self.guard_key_file
        if self.guard_cells_file:
            env["GRADER_GUARD_CELLS_FILE"] = self.guard_cells_file
        return env

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        # sandboxed: bubblewrap sets the kernel's environment itself (--clearenv, --setenv)
        kw["env"] = {"PATH": "/usr/bin:/bin"} if self.sandbox else self._kernel_env()
        if self.guard_key and self.guard_key_file:
            Path(self.guard_key_file).write_bytes(bytes.fromhex(self.guard_key))
            if self.uid >= 0:
                os.chown(self.guard_key_file, self.uid, self.uid)
        if self.sandbox:
            kw["cwd"] = self.kernel_dir
            if self.uid >= 0:  # the kernel's own folders belong to its unprivileged user
                for folder in (Path(self.run_dir), Path(self.kernel_dir)):
                    for path in (folder, *folder.rglob("*")):
                        os.chown(path, self.uid, self.uid, follow_symlinks=False)
        log = open(self.log_file, "ab") if self.log_file else None  # noqa: SIM115 (closed once the kernel has it)
        if log is not None:
            kw["stdout"] = kw["stderr"] = log
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            if log is not None:
                log.close()


class SandboxedExecute(Execute):
    """nbgrader's Execute, with the kernel in the sandbox, the guard loaded first and output capped."""

    max_output_bytes = Int(1_000_000, help="Output kept per cell; the rest is dropped with a note.").tag(
        config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)
        self._cell_bytes: dict[int, int] = {}

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: str | None, cell_index: int) -> Any:
        size = len(json.dumps(msg.get("content", {}), default=str))
        total = self._cell_bytes.get(cell_index, 0) + size
        self._cell_bytes[cell_index] = total
        if total > self.max_output_bytes:
            if total - size <= self.max_output_bytes:
                from nbformat.v4 import new_output

                outs.append(new_output("stream", name="stdout",
                                       text=f"\n[grader: output over {self.max_output_bytes} bytes dropped]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)
