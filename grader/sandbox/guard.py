"""Loaded into every sandboxed kernel before any student code runs (``install``), then called around each
test cell (``enter`` / ``leave``). Standalone: it imports nothing of the grader.

It records, at start-up, the IPython machinery that turns a cell into code (input and AST transformers, the
run/transform methods) and the functions that tests rely on (``math.isclose``, ``torch.allclose``,
``numpy.testing``..., ``torch.Tensor.__eq__``, builtins). Around each test cell it compares them with that
record, and it makes the student's classes whose ``==`` holds against an unrelated object report each use of
``==``: a test cell that compared such an object fails. Any difference
raises ``TamperingDetected`` inside the test cell (the cell scores 0), with the evidence as JSON after the
``GRADER-TAMPERING:`` prefix. ``leave`` prints ``GRADER-END <cell> <mac>`` where mac is an HMAC of the cell id
under a per-run key that the grader gave this kernel and that was deleted from disk at start-up: a test cell
whose output lacks it did not run to its end as written.
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
SHELL_METHODS = ("transform_cell", "run_cell", "run_cell_async", "run_ast_nodes", "run_code", "should_run_async")
_state: dict[str, object] = {}


class TamperingDetected(Exception):
    """Raised inside a test cell when the grading machinery or a check function was altered."""


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
    for name in SHELL_METHODS:
        state[f"shell.{name}"] = getattr(type(ip), name, None)
        state[f"shell.{name}.instance"] = name in vars(ip)
    return state


def install() -> None:
    """Record the pristine state. Called by the kernel's exec_lines, before any cell."""
    from IPython import get_ipython

    for module in ("numpy", "numpy.testing", "torch", "torch.testing", "torch.nn.functional"):
        if importlib.util.find_spec(module.split(".")[0]) is not None:
            try:
                importlib.import_module(module)
            except Exception:  # noqa: BLE001
                pass
    key_file = os.environ.pop("GRADER_GUARD_KEY_FILE", "")
    key = b""
    if key_file and os.path.exists(key_file):
        with open(key_file, "rb") as handle:
            key = handle.read()
        os.unlink(key_file)
    ip = get_ipython()
    _state.update(key=key, shell=_shell_state(ip), functions=_snapshot_functions(), current=None,
                  builtin_names=set(vars(builtins)))
    ip.user_ns["__grader_guard__"] = sys.modules[__name__]


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


def _fail(cell: str, problems: list[str]) -> None:
    raise TamperingDetected("GRADER-TAMPERING: " + json.dumps({"cell": cell, "evidence": problems}))


def enter(cell: str) -> None:
    _state["current"] = cell
    problems = _evidence()
    _arm(_always_equal_classes())
    _state["eq_used"] = []
    if problems:
        _fail(cell, problems)


def leave(cell: str) -> None:
    if _state.get("current") != cell:
        _fail(cell, ["test cell ran without its guard"])
    used = list(_state.get("eq_used") or [])
    problems = _evidence()
    problems += [f"class {name} compares equal to an unrelated object (always-equal object) and this test "
                 "compared it" for name in sorted(set(used))]
    if problems:
        _fail(cell, problems)
    _state["current"] = None
    key = _state.get("key", b"")
    assert isinstance(key, bytes)
    mac = hmac.new(key, cell.encode(), hashlib.sha256).hexdigest()[:32]
    print(f"GRADER-END {cell} {mac}")
