"""Loaded into every sandboxed kernel before any student code runs (``install``), then run around each test
cell by IPython's own ``pre_run_cell`` / ``post_run_cell`` events. Standalone: it imports nothing of the grader.

The test cells' sources are never rewritten, so a cell's value and outputs (its partial credit) are exactly what
nbgrader sees without the guard. The grader hands the kernel, in a file it reads and deletes at start-up, the
SHA-256 of each test cell's source and its grade id; ``pre_run_cell`` recognises a test cell by its raw source.

It records, at start-up, the IPython machinery that turns a cell into code (input and AST transformers, the
run/transform methods) and the functions that tests rely on (``math.isclose``, ``torch.allclose``,
``numpy.testing``..., ``torch.Tensor.__eq__``, builtins). Before and after each test cell it compares them with
that record, and it makes the student's classes whose ``==`` holds against an unrelated object report each use
of ``==``: a test cell that compared such an object fails. After the cell it prints either
``GRADER-END <cell> <mac>`` (mac: an HMAC of the cell id under a per-run key the grader gave this kernel and
that was deleted from disk at start-up) or ``GRADER-TAMPERING: <evidence as JSON>``. The grader's
``CheckGuardMarkers`` fails every test cell whose output lacks a valid end marker: one that was altered at run
time, whose events were silenced, or where tampering was found.
"""

from __future__ import annotations

import builtins
import gc
import hashlib
import hmac
import importlib
import importlib.util
import json
import os
import sys
import warnings

WATCHED: dict[str, tuple[str, ...]] = {
    "builtins": ("abs", "all", "any", "isinstance", "issubclass", "len", "type", "compile", "exec", "eval",
                 "round", "sum", "min", "max", "sorted", "print", "getattr", "hasattr", "id", "repr", "float",
                 "int", "bool", "str", "range", "zip", "map", "filter", "__import__"),
    "math": ("isclose", "isnan", "isinf", "isfinite", "fabs"),
    "numpy": ("allclose", "isclose", "array_equal", "array_equiv", "all", "any", "abs", "isfinite"),
    "numpy.testing": ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_almost_equal",
                      "assert_equal"),
    "torch": ("allclose", "isclose", "equal", "all", "any", "abs", "is_tensor", "isfinite", "isnan"),
    "torch.testing": ("assert_close",),
    "torch.Tensor": ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__float__",
                     "__int__", "__len__", "all", "any", "item", "allclose", "equal", "abs", "tolist", "isclose",
                     "sum", "mean", "max", "min"),
    "torch.nn.functional": ("scaled_dot_product_attention", "cross_entropy", "softmax", "log_softmax",
                            "binary_cross_entropy_with_logits", "mse_loss"),
}
SHELL_METHODS = ("transform_cell", "run_cell", "run_cell_async", "run_ast_nodes", "run_code", "should_run_async",
                 "showtraceback", "_showtraceback", "showsyntaxerror")
_state: dict[str, object] = {}


class _Sentinel:
    """An object no correct ``__eq__`` can consider equal to anything of the student's."""


def _owner(path: str) -> object | None:
    if path == "torch.Tensor":
        torch = sys.modules.get("torch")
        return getattr(torch, "Tensor", None) if torch else None
    return sys.modules.get(path)


def _snapshot_functions() -> dict[str, object]:
    snap: dict[str, object] = {}
    for path, names in WATCHED.items():
        owner = _owner(path)
        if owner is None:
            continue
        for name in names:
            if hasattr(owner, name):
                snap[f"{path}.{name}"] = getattr(owner, name)
    return snap


def _shell_state(ip: object) -> dict[str, object]:
    manager = getattr(ip, "input_transformer_manager", None)
    state: dict[str, object] = {
        "input_transformers_cleanup": list(getattr(ip, "input_transformers_cleanup", [])),
        "input_transformers_post": list(getattr(ip, "input_transformers_post", [])),
        "ast_transformers": list(getattr(ip, "ast_transformers", [])),
    }
    if manager is not None:
        for name in ("cleanup_transforms", "line_transforms", "token_transformers"):
            state[f"input_transformer_manager.{name}"] = list(getattr(manager, name, []))
    # what turns a cell's value into its execute_result, i.e. its partial credit
    state["displayhook"] = getattr(ip, "displayhook", None)
    state["displayhook.call"] = next((vars(k)["__call__"] for k in type(getattr(ip, "displayhook", None)).__mro__
                                      if "__call__" in vars(k)), None)
    formatter = getattr(ip, "display_formatter", None)
    state["display_formatter"] = formatter
    for mime, fmt in sorted((getattr(formatter, "formatters", None) or {}).items()):
        state[f"formatter.{mime}"] = fmt
    for name in SHELL_METHODS:
        state[f"shell.{name}"] = getattr(type(ip), name, None)
        state[f"shell.{name}.instance"] = name in vars(ip)
    return state


def _read_and_delete(variable: str) -> bytes:
    path = os.environ.pop(variable, "")
    if not path or not os.path.exists(path):
        return b""
    with open(path, "rb") as handle:
        data = handle.read()
    os.unlink(path)
    return data


def install() -> None:
    """Record the pristine state and hook the cell events. Called by the kernel's exec_lines, before any cell."""
    from IPython import get_ipython

    for module in ("numpy", "numpy.testing", "torch", "torch.testing", "torch.nn.functional"):
        if importlib.util.find_spec(module.split(".")[0]) is not None:
            try:
                importlib.import_module(module)
            except Exception:  # noqa: BLE001
                pass
    key = _read_and_delete("GRADER_GUARD_KEY_FILE")
    cells = _read_and_delete("GRADER_GUARD_CELLS_FILE")
    ip = get_ipython()
    _state.update(key=key, shell=_shell_state(ip), functions=_snapshot_functions(), current=None,
                  builtin_names=set(vars(builtins)),
                  cells={digest: list(ids) for digest, ids in (json.loads(cells) if cells else {}).items()})
    ip.events.register("pre_run_cell", _pre_run_cell)
    ip.events.register("post_run_cell", _post_run_cell)


def _pre_run_cell(info: object) -> None:
    raw = getattr(info, "raw_cell", None) or ""
    waiting = _state["cells"].get(hashlib.sha256(raw.encode()).hexdigest())  # type: ignore[union-attr]
    if waiting:
        enter(waiting.pop(0))


def _post_run_cell(result: object) -> None:
    cell = _state.get("current")
    if cell is not None:
        leave(str(cell), getattr(result, "result", None))


def _student_printers(value: object) -> list[str]:
    """A display printer the student's code registered for the type of the cell's value would change the cell's
    result (its partial credit) without touching the value."""
    from IPython import get_ipython

    if value is None:
        return []
    formatter = getattr(get_ipython(), "display_formatter", None)
    problems = []
    for mime, fmt in (getattr(formatter, "formatters", None) or {}).items():
        try:
            printer = fmt.lookup(value)
        except Exception:  # noqa: BLE001 - no printer registered for this type
            continue
        if getattr(printer, "__module__", None) == "__main__":
            problems.append(f"display printer registered for {type(value).__qualname__} ({mime})")
    return problems


def _always_equal_classes() -> list[type]:
    """The student's classes whose ``==`` holds against an unrelated object (probed with their original)."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objects = [o for o in gc.get_objects() if isinstance(o, type)]
    for cls in objects:
        if getattr(cls, "__module__", None) != "__main__":
            continue
        eq = vars(cls).get("__grader_original_eq__") or getattr(cls, "__eq__", None)
        if eq is None or eq is object.__eq__:
            continue
        try:
            result = eq(cls.__new__(cls), _Sentinel())
            truthy = result is not NotImplemented and bool(result)
        except Exception:  # noqa: BLE001 - a class we cannot probe is not evidence
            continue
        if truthy:
            found.append(cls)
    return found


def _arm(classes: list[type]) -> None:
    """Make each always-equal class report when its ``==`` is used, so that exactly the test cells that
    compare such an object fail (the class merely existing costs nothing)."""
    for cls in classes:
        if "__grader_original_eq__" in vars(cls):
            continue
        original = cls.__eq__

        def eq(self: object, other: object, _original: object = original, _name: str = cls.__qualname__) -> object:
            used = _state.setdefault("eq_used", [])
            assert isinstance(used, list)
            used.append(_name)
            return _original(self, other)  # type: ignore[operator]

        try:
            type.__setattr__(cls, "__grader_original_eq__", original)
            type.__setattr__(cls, "__eq__", eq)
        except (TypeError, AttributeError):
            continue


def _evidence() -> list[str]:
    from IPython import get_ipython

    problems = []
    ip = get_ipython()
    before = _state["shell"]
    now = _shell_state(ip)
    assert isinstance(before, dict)
    for key, value in before.items():
        current = now.get(key)
        if isinstance(value, list):
            items = current if isinstance(current, list) else []
            changed = len(items) != len(value) or any(a is not b for a, b in zip(items, value, strict=True))
        elif isinstance(value, bool):
            changed = current != value
        else:
            changed = current is not value
        if changed:
            problems.append(f"IPython machinery changed: {key}")
    functions = _state["functions"]
    assert isinstance(functions, dict)
    current = _snapshot_functions()
    for name, original in functions.items():
        if current.get(name) is not original:
            problems.append(f"check function replaced: {name}")
    for name, value in current.items():  # modules imported after start-up by the student: cannot compare
        functions.setdefault(name, value)
    return problems


def enter(cell: str) -> None:
    """Before a test cell: what changed since start-up is kept as evidence for ``leave``."""
    _state["current"] = cell
    _state["problems"] = _evidence()
    _arm(_always_equal_classes())
    _state["eq_used"] = []


def leave(cell: str, value: object = None) -> None:
    """After a test cell (whatever it raised): the end marker, or the evidence of tampering. ``value``: the
    cell's result, whose display must be IPython's own."""
    used = list(_state.get("eq_used") or [])
    problems = list(_state.get("problems") or []) + [p for p in _evidence() if p not in (_state.get("problems") or [])]
    problems += _student_printers(value)
    problems += [f"class {name} compares equal to an unrelated object (always-equal object) and this test "
                 "compared it" for name in sorted(set(used))]
    _state["current"] = None
    _state["problems"] = []
    if problems:
        print("GRADER-TAMPERING: " + json.dumps({"cell": cell, "evidence": problems}))
        return
    key = _state.get("key", b"")
    assert isinstance(key, bytes)
    mac = hmac.new(key, cell.encode(), hashlib.sha256).hexdigest()[:32]
    print(f"GRADER-END {cell} {mac}")
