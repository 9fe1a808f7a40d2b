"""Mutation operators: each finds the sites of one kind of plausible mistake in a cell's code (Python's ``ast``)
and says how the text changes there. One site, one change: a mutant differs from the reference in one place.

    cmp        a comparison operator swapped (``<`` ↔ ``<=``, ``>`` ↔ ``>=``, ``==`` ↔ ``!=``; ``is``, ``in`` negated)
    arith      an arithmetic operator swapped (``+`` ↔ ``-``, ``*`` ↔ ``/``, ``//`` → ``/``, ``**``, ``@`` → ``*``)
    index      an integer index or slice bound ±1 (``x[0]``, ``x[:, -1]``, ``x[1:]``)
    dim        a ``dim=``/``axis=`` argument changed (also positional dims of reductions, ``keepdim`` flipped)
    drop       a call dropped: ``.eval()``, ``.train()``, ``.zero_grad()``, ``.detach()``, ``torch.no_grad()``
    scale      a normalization or scale dropped: ``a / norm`` → ``a``, ``F.normalize(x)`` → ``x``, ``x - x.max()`` →
               ``x``, ``a * scale`` → ``a``
    swap       the first two positional arguments of a call swapped (commutative calls left out)
    transpose  a returned value transposed (``.transpose(-1, -2)``)
    inplace    ``x = x + y`` → ``x += y``, a ``.clone()``/``.copy()`` dropped

Sites are found only on ``lines`` (the solution region of a cell: what the student writes), never inside f-strings
or annotations. Positions are 1-based lines and 0-based character columns of the cell's source.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

OPERATORS = ("cmp", "arith", "index", "dim", "drop", "scale", "swap", "transpose", "inplace")

CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
}
ARITH_SWAP: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult,
}
SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
          ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in", ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
          ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**", ast.MatMult: "@"}
DIM_KEYWORDS = ("dim", "axis")
KEEPDIM_KEYWORDS = ("keepdim", "keepdims")
# Methods whose first positional argument is a dimension (x.sum(1)), functions whose second one is (torch.cat(xs, 1)).
DIM_METHODS = frozenset({"sum", "mean", "softmax", "log_softmax", "argmax", "argmin", "max", "min", "amax", "amin",
                         "cumsum", "cumprod", "logsumexp", "std", "var", "prod", "unsqueeze", "squeeze", "all",
                         "any", "median", "nansum", "nanmean", "flip", "roll"})
DIM_FUNCTIONS = frozenset({"cat", "stack", "concat", "concatenate", "softmax", "log_softmax", "logsumexp",
                           "cumsum", "unsqueeze", "squeeze", "argmax", "argmin", "amax", "amin"})
DROPPED_STATEMENTS = frozenset({"eval", "train", "zero_grad"})
DROPPED_CALLS = frozenset({"detach"})
NO_GRAD = frozenset({"no_grad", "inference_mode"})
NULL_CONTEXT = '__import__("contextlib").nullcontext()'
NORM_CALLS = frozenset({"norm", "vector_norm", "matrix_norm", "sqrt", "rsqrt", "std", "sum", "var"})
THROUGH_CALLS = frozenset({"clamp", "clamp_min", "clip", "unsqueeze", "view", "reshape", "expand_as", "float",
                           "add", "item", "detach"})
CENTRE_CALLS = frozenset({"mean", "max", "amax", "logsumexp", "min", "amin", "median"})
SCALE_WORDS = ("norm", "std", "scale", "sqrt", "temperature", "tau", "denom", "gain", "alpha", "gamma", "lr")
SWAP_SKIPPED = frozenset({"print", "format", "isinstance", "issubclass", "getattr", "setattr", "hasattr", "warn",
                          "max", "min", "maximum", "minimum", "add", "mul", "eq", "ne", "allclose", "isclose",
                          "hypot", "dict", "zip", "logical_and", "logical_or", "fmax", "fmin", "debug", "info"})
NOT_TENSORS = frozenset({"float", "int", "len", "str", "bool", "dict", "list", "tuple", "sorted", "set", "item",
                         "tolist", "repr", "round", "sum", "max", "min", "range", "enumerate", "zip", "isinstance"})
REDUCTIONS = frozenset({"mean", "sum", "max", "min", "norm", "prod", "std", "var", "all", "any", "logsumexp"})
ATOMIC = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set,
          ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)


@dataclass(frozen=True)
class Site:
    """One place to change: the text ``source[start:end]`` becomes ``new``."""

    operator: str
    line: int
    col: int
    start: int
    end: int
    new: str
    what: str  # the change in a few words: "`<` → `<=`"
    variant: str = ""  # "+1"/"-1" where one site has two changes

    def apply(self, source: str) -> str:
        return source[:self.start] + self.new + source[self.end:]

    @property
    def key(self) -> str:
        """Stable within one version of the cell: operator, line, column (and variant)."""
        return f"{self.operator}:{self.line}:{self.col}{self.variant}"


class Code:
    """A cell's source, parsed, with character offsets of nodes (``ast`` counts columns in UTF-8 bytes)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.split("\n")
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.tree = ast.parse(mask_magics(source))
        self.skipped: set[int] = set()
        for node in ast.walk(self.tree):
            for part in _unpositioned(node):
                self.skipped.update(id(n) for n in ast.walk(part))

    def offset(self, line: int, col_bytes: int) -> int:
        text = self.lines[line - 1]
        return self.starts[line - 1] + len(text.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.source[start:end]

    def site(self, operator: str, node: ast.AST, new: str, what: str, variant: str = "") -> Site:
        start, end = self.span(node)
        return Site(operator, node.lineno, start - self.starts[node.lineno - 1],  # type: ignore[attr-defined]
                    start, end, new, what, variant)

    def nodes(self) -> Iterator[ast.AST]:
        for node in ast.walk(self.tree):
            if id(node) not in self.skipped and hasattr(node, "lineno"):
                yield node


def mask_magics(source: str) -> str:
    """IPython's ``%magic`` and ``!shell`` lines as comments of the same length (offsets stay valid)."""
    lines = source.split("\n")
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if line[indent:indent + 1] in ("%", "!"):
            lines[index] = line[:indent] + "#" + line[indent + 1:]
    return "\n".join(lines)


def _unpositioned(node: ast.AST) -> list[ast.AST]:
    """Parts where sites are not looked for: f-strings (3.11 gives their insides no usable positions) and
    annotations (types, not behaviour)."""
    parts: list[ast.AST] = []
    if isinstance(node, ast.JoinedStr):
        parts.append(node)
    if isinstance(node, ast.arg) and node.annotation is not None:
        parts.append(node.annotation)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
        parts.append(node.returns)
    if isinstance(node, ast.AnnAssign):
        parts.append(node.annotation)
    return parts


def paren(code: Code, node: ast.AST) -> str:
    """The node's text, in parentheses unless it is atomic (so it keeps its meaning wherever it goes)."""
    text = code.text(node)
    return text if isinstance(node, ATOMIC) else f"({text})"


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _int_value(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)
            and type(node.operand.value) is int):
        return -node.operand.value
    return None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes))


def cmp_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if not isinstance(node, ast.Compare):
            continue
        for index, op in enumerate(node.ops):
            swapped = CMP_SWAP[type(op)]()
            ops = [*node.ops[:index], swapped, *node.ops[index + 1:]]
            new = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
            # every comparison binds alike: the new one needs no parentheses
            yield code.site("cmp", node, ast.unparse(new), f"`{SYMBOL[type(op)]}` → `{SYMBOL[type(swapped)]}`",
                            f"@{index}" if index else "")


def arith_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if isinstance(node, ast.BinOp) and type(node.op) in ARITH_SWAP:
            if _is_string(node.left) or _is_string(node.right):
                continue  # "a" + "b", "%d" % n: formatting, not arithmetic
            swapped = ARITH_SWAP[type(node.op)]()
            new = ast.unparse(ast.BinOp(left=node.left, op=swapped, right=node.right))
            # only ** → * binds differently from what it replaces
            yield code.site("arith", node, f"({new})" if isinstance(node.op, ast.Pow) else new,
                            f"`{SYMBOL[type(node.op)]}` → `{SYMBOL[type(swapped)]}`")
        elif isinstance(node, ast.AugAssign) and type(node.op) in ARITH_SWAP:
            swapped = ARITH_SWAP[type(node.op)]()
            yield code.site("arith", node, f"{code.text(node.target)} {SYMBOL[type(swapped)]}= {code.text(node.value)}",
                            f"`{SYMBOL[type(node.op)]}=` → `{SYMBOL[type(swapped)]}=`")


def _index_parts(node: ast.Subscript) -> Iterator[ast.AST]:
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for part in parts:
        if isinstance(part, ast.Slice):
            yield from (bound for bound in (part.lower, part.upper) if bound is not None)
        else:
            yield part


def index_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if not isinstance(node, ast.Subscript):
            continue
        for part in _index_parts(node):
            value = _int_value(part)
            if value is None:
                continue
            for delta in (+1, -1):
                yield code.site("index", part, str(value + delta), f"index `{value}` → `{value + delta}`",
                                f"{delta:+d}")


def _other_dim(value: int) -> int:
    """Another axis that exists on most tensors the code could mean: 0 ↔ 1, -1 → -2, d → d - 1, -d → -d + 1."""
    if value == 0:
        return 1
    if value == -1:
        return -2
    return value - 1 if value > 0 else value + 1


def dim_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg in DIM_KEYWORDS and (value := _int_value(keyword.value)) is not None:
                new = _other_dim(value)
                yield code.site("dim", keyword.value, str(new), f"`{keyword.arg}={value}` → `{keyword.arg}={new}`")
            elif (keyword.arg in KEEPDIM_KEYWORDS and isinstance(keyword.value, ast.Constant)
                  and isinstance(keyword.value.value, bool)):
                flipped = not keyword.value.value
                yield code.site("dim", keyword.value, str(flipped),
                                f"`{keyword.arg}={keyword.value.value}` → `{keyword.arg}={flipped}`")
        name = _name(node.func)
        position = None
        if isinstance(node.func, ast.Attribute) and name in DIM_METHODS:
            # x.sum(1) is a method (a dim first); torch.softmax(x, 1) or F.softmax(x, 1) a function (a dim second)
            receiver = node.func.value
            module = isinstance(receiver, ast.Name) and receiver.id in ("torch", "np", "numpy", "F", "jnp")
            position = 1 if module and name in DIM_FUNCTIONS else None if module else 0
        elif name in DIM_FUNCTIONS:
            position = 1
        value = _int_value(node.args[position]) if position is not None and len(node.args) > position else None
        if position is not None and value is not None:
            new = _other_dim(value)
            yield code.site("dim", node.args[position], str(new), f"dim `{value}` → `{new}` of `{name}`")


def drop_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and _name(node.value.func) in DROPPED_STATEMENTS and isinstance(node.value.func, ast.Attribute)):
            yield code.site("drop", node, "pass", f"`.{_name(node.value.func)}()` dropped")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DROPPED_CALLS
              and not node.args and not node.keywords):
            yield code.site("drop", node, paren(code, node.func.value), f"`.{node.func.attr}()` dropped")
        elif isinstance(node, ast.With):
            for item in node.items:
                if isinstance(item.context_expr, ast.Call) and _name(item.context_expr.func) in NO_GRAD:
                    yield code.site("drop", item.context_expr, NULL_CONTEXT,
                                    f"`with {_name(item.context_expr.func)}()` dropped")
        elif isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if _name(target) in NO_GRAD:
                    yield code.site("drop", decorator, "(lambda f: f)", f"`@{_name(target)}` dropped")


def _normish(node: ast.AST) -> bool:
    """Looks like a norm, a total or a scale: what a value is divided by to normalise it."""
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in NORM_CALLS:
            return True
        if name in THROUGH_CALLS:
            inner = node.func.value if isinstance(node.func, ast.Attribute) else None
            return any(_normish(n) for n in ([inner] if inner is not None else []) + list(node.args[:1]))
        return False
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            return True  # x ** 0.5, d ** -0.5
        return isinstance(node.op, ast.Add) and (_normish(node.left) or _normish(node.right))
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool) and node.value not in (0, 1)
    if isinstance(node, ast.Name | ast.Attribute):
        word = _name(node).lower()
        return any(w in word for w in SCALE_WORDS)
    return False


def _centre(node: ast.AST) -> bool:
    """x.mean(...), x.max(dim).values, x.max(dim)[0]: what is subtracted to centre or stabilise a value."""
    if isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return isinstance(node, ast.Call) and _name(node.func) in CENTRE_CALLS


def scale_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if isinstance(node, ast.Call) and _name(node.func) == "normalize" and node.args:
            yield code.site("scale", node, paren(code, node.args[0]), "`normalize(x)` → `x`")
        elif isinstance(node, ast.BinOp) and not (_is_string(node.left) or _is_string(node.right)):
            if isinstance(node.op, ast.Div) and _normish(node.right):
                yield code.site("scale", node, paren(code, node.left),
                                f"division by `{_short(code.text(node.right))}` dropped")
            elif isinstance(node.op, ast.Mult) and (_normish(node.right) or _normish(node.left)):
                kept, factor = (node.left, node.right) if _normish(node.right) else (node.right, node.left)
                yield code.site("scale", node, paren(code, kept), f"factor `{_short(code.text(factor))}` dropped")
            elif isinstance(node.op, ast.Sub) and _centre(node.right):
                yield code.site("scale", node, paren(code, node.left),
                                f"`- {_short(code.text(node.right))}` dropped")
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Div | ast.Mult) and _normish(node.value):
            what = f"`{SYMBOL[type(node.op)]}= {_short(code.text(node.value))}` dropped"
            yield code.site("scale", node, "pass", what)


def swap_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if not isinstance(node, ast.Call) or len(node.args) < 2 or _name(node.func) in SWAP_SKIPPED:
            continue
        first, second = node.args[0], node.args[1]
        if isinstance(first, ast.Starred) or isinstance(second, ast.Starred):
            continue
        a, b = code.text(first), code.text(second)
        if a == b:
            continue
        start, _ = code.span(first)
        _, end = code.span(second)
        between = code.source[code.span(first)[1]:code.span(second)[0]]
        line_start = code.starts[first.lineno - 1]
        yield Site("swap", first.lineno, start - line_start, start, end, b + between + a,
                   f"arguments `{_short(a, 20)}` and `{_short(b, 20)}` of `{_name(node.func)}` swapped")


def _tensor_like(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant | ast.Tuple | ast.List | ast.Dict | ast.Set | ast.JoinedStr | ast.Compare
                  | ast.BoolOp | ast.ListComp | ast.DictComp | ast.SetComp | ast.GeneratorExp | ast.Lambda):
        return False
    if isinstance(node, ast.Name) and node.id in ("self", "cls", "None", "True", "False"):
        return False
    if isinstance(node, ast.UnaryOp):
        return _tensor_like(node.operand)
    if isinstance(node, ast.Call) and _name(node.func) in REDUCTIONS and not node.args and not node.keywords:
        return False  # x.mean(): a scalar
    return not (isinstance(node, ast.Call) and _name(node.func) in NOT_TENSORS)


def transpose_sites(code: Code) -> Iterator[Site]:
    for func in code.nodes():
        if not isinstance(func, ast.FunctionDef) or (func.name.startswith("__") and func.name != "__call__"):
            continue
        for node in _own_nodes(func):
            if isinstance(node, ast.Return) and node.value is not None and _tensor_like(node.value) \
                    and id(node) not in code.skipped:
                yield code.site("transpose", node.value, f"{paren(code, node.value)}.transpose(-1, -2)",
                                "returned value transposed")


def _own_nodes(func: ast.FunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of the functions and classes defined inside it."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a).replace("Load()", "").replace("Store()", "") == \
        ast.dump(b).replace("Load()", "").replace("Store()", "")


def inplace_sites(code: Code) -> Iterator[Site]:
    for node in code.nodes():
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.BinOp)
                and type(node.value.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div)
                and isinstance(node.targets[0], ast.Name | ast.Attribute | ast.Subscript)
                and _same(node.targets[0], node.value.left)):
            symbol = SYMBOL[type(node.value.op)]
            target = code.text(node.targets[0])
            yield code.site("inplace", node, f"{target} {symbol}= {code.text(node.value.right)}",
                            f"`{_short(target, 20)} = {_short(target, 20)} {symbol} …` → `{symbol}=` (in place)")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("clone", "copy") and not node.args and not node.keywords):
            yield code.site("inplace", node, paren(code, node.func.value), f"`.{node.func.attr}()` dropped")


def _short(text: str, width: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


FINDERS: dict[str, Callable[[Code], Iterator[Site]]] = {
    "cmp": cmp_sites, "arith": arith_sites, "index": index_sites, "dim": dim_sites, "drop": drop_sites,
    "scale": scale_sites, "swap": swap_sites, "transpose": transpose_sites, "inplace": inplace_sites,
}


def sites(source: str, lines: set[int] | None = None, operators: tuple[str, ...] = OPERATORS) -> list[Site]:
    """Every site of ``operators`` in ``source`` whose changed text lies on ``lines`` (None: anywhere), in source
    order; sites whose change leaves the code invalid are left out."""
    code = Code(source)
    found: list[Site] = []
    for operator in operators:
        for site in FINDERS[operator](code):
            first = site.line
            last = code.source.count("\n", 0, site.end) + 1
            if lines is not None and not all(n in lines for n in range(first, last + 1)):
                continue
            found.append(site)
    found.sort(key=lambda s: (s.start, OPERATORS.index(s.operator), s.end, s.variant))
    return found


def compiles(source: str) -> bool:
    try:
        compile(mask_magics(source), "<mutant>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True
