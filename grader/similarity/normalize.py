"""Stage 2: a token stream that survives what copiers do, each token mapped back to its source line.

From Python's own ``ast`` (what to drop, and the order of definitions) and ``tokenize`` (the tokens):

* renamed identifiers: every name the student defines becomes ``V`` (builtins, keywords and library attributes
  such as ``.conv2d`` stay: a copier cannot rename them);
* literals: numbers become ``N``, strings ``S``;
* reformatting: whitespace, line breaks, comments, trailing commas and semicolons are not tokens;
* docstrings and bare strings, ``print``/``display`` statements, imports, ``pass`` are dropped;
* dead code: statements after ``return``/``raise``/``break``/``continue``, ``if False:`` blocks, functions and
  classes nobody calls, assignments of call-free values to names nobody reads;
* reordered functions: top-level definitions (and the methods of a class) are units sorted by their tokens.
Code that does not parse (a half-finished cell) keeps its tokens up to the error, without the ``ast`` steps.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from bisect import bisect_left
from dataclasses import dataclass

from grader.similarity.extract import Source

KEEP_NAMES = frozenset(dir(builtins)) - {"print"}
SILENT_CALLS = frozenset({"print", "display", "pprint"})
MAGIC = re.compile(r"^\s*[%!].*$", re.M)
SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER,
        tokenize.ENCODING}
CLOSERS = {")", "]", "}"}
Pos = tuple[int, int]


@dataclass(frozen=True)
class Document:
    """A submission as the comparison sees it."""

    id: str
    kind: str                     # "student", "archive" or "reference"
    text: str                     # the solution cells, each under a "# ── name ──" line (what the page shows)
    tokens: tuple[str, ...]       # the normalised stream, definitions in canonical order
    lines: tuple[int, ...]        # 1-based line of ``text`` of each token
    template: frozenset[int]      # lines of ``text`` that come from the release


@dataclass(frozen=True)
class _Token:
    text: str
    start: Pos


def _raw(code: str) -> list[tokenize.TokenInfo]:
    """Python's tokens of ``code`` that carry code (up to the first error of a half-finished cell)."""
    out: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type not in SKIP:
                out.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _tokens(raw: list[tokenize.TokenInfo], defined_attrs: set[str]) -> list[_Token]:
    out: list[_Token] = []
    previous, tok_prev_type = "", tokenize.OP
    groups: list[bool] = []  # per open parenthesis: a call's (kept) or a grouping one (dropped)
    for tok in raw:
        if tok.type == tokenize.NAME:
            attr = previous == "."
            if keyword.iskeyword(tok.string) or (tok.string in KEEP_NAMES and not attr) or \
                    (attr and tok.string not in defined_attrs):
                text = tok.string
            else:
                text = "V"
        elif tok.type == tokenize.NUMBER:
            text = "N"
        elif tok.type == tokenize.STRING or tok.type in _FSTRING:
            text = "S"
            if out and out[-1].text == "S":  # implicit concatenation, and the parts of an f-string
                previous = text
                continue
        elif tok.string == ";":
            continue
        elif tok.string == "(":  # a call keeps its parentheses; grouping and tuple ones are layout
            groups.append(tok_prev_type == tokenize.NAME and not keyword.iskeyword(previous)
                          or previous in (")", "]"))
            if not groups[-1]:
                previous, tok_prev_type = tok.string, tok.type
                continue
            text = "("
        elif tok.string == ")" and groups and not groups.pop():
            previous, tok_prev_type = tok.string, tok.type
            continue
        else:
            text = tok.string
        if text in CLOSERS and out and out[-1].text == ",":
            out.pop()
        out.append(_Token(text, tok.start))
        previous, tok_prev_type = tok.string, tok.type
    return out


_FSTRING = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}


def _span(node: ast.AST) -> tuple[Pos, Pos]:
    start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
    for deco in getattr(node, "decorator_list", []):
        start = min(start, (deco.lineno, deco.col_offset))
    return start, (node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _falsy(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and not test.value


def _has_call(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


class _Dead:
    """Finds the spans to drop in one parsed cell."""

    def __init__(self, used: frozenset[str]) -> None:
        self.used = used
        self.spans: list[tuple[Pos, Pos]] = []

    def body(self, statements: list[ast.stmt], top: bool = False) -> None:
        ended = False
        for stmt in statements:
            if ended or self.drop(stmt, top):
                self.spans.append(_span(stmt))
                continue
            for field in ("body", "orelse", "finalbody"):
                block = getattr(stmt, field, None)
                if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                    self.body(block)
            for handler in getattr(stmt, "handlers", []):
                self.body(handler.body)
            ended = isinstance(stmt, ast.Return | ast.Raise | ast.Break | ast.Continue)

    def drop(self, stmt: ast.stmt, top: bool) -> bool:
        if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Pass):
            return True
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Constant):
                return True
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in SILENT_CALLS:
                return True
        if isinstance(stmt, ast.If | ast.While) and _falsy(stmt.test) and not stmt.orelse:
            return True
        if top and isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                and not stmt.name.startswith("__") and stmt.name not in self.used:
            return True
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) and t.id not in self.used
                                                 for t in stmt.targets):
            return not _has_call(stmt.value)
        return False


def _without(tokens: list[_Token], spans: list[tuple[Pos, Pos]]) -> list[_Token]:
    """``tokens`` (in source order) minus those starting inside any of ``spans``."""
    starts = [t.start for t in tokens]
    dropped = bytearray(len(tokens))
    for a, b in spans:
        for i in range(bisect_left(starts, a), bisect_left(starts, b)):
            dropped[i] = 1
    return [t for t, gone in zip(tokens, dropped, strict=True) if not gone]


def _units(tree: ast.Module | None, tokens: list[_Token]) -> list[list[_Token]]:
    """Each top-level statement as a unit (a class's methods sorted inside it)."""
    if tree is None:
        return [tokens]
    starts = [t.start for t in tokens]

    def select(node: ast.AST) -> list[_Token]:
        a, b = _span(node)
        return tokens[bisect_left(starts, a):bisect_left(starts, b)]

    def unit(node: ast.stmt) -> list[_Token]:
        if not isinstance(node, ast.ClassDef):
            return select(node)
        methods = [s for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)]
        header = _without(select(node), [_span(m) for m in methods])
        return header + [t for part in sorted((select(m) for m in methods), key=_key) for t in part]

    return [u for u in (unit(stmt) for stmt in tree.body) if u]


def _key(unit: list[_Token]) -> tuple[str, ...]:
    return tuple(t.text for t in unit)


def _parse(code: str) -> ast.Module | None:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def _reads(raws: list[list[tokenize.TokenInfo]]) -> tuple[set[str], set[str]]:
    """Names read, and attributes the code defines (``self.w = ...``, methods), across a document's cells.

    From the tokens (one pass, no tree walk): a name counts as read unless it is assigned (``x = ...``, a
    keyword argument) or being defined (``def f``)."""
    reads: set[str] = set()
    attrs: set[str] = set()
    for raw in raws:
        for i, tok in enumerate(raw):
            if tok.type != tokenize.NAME:
                continue
            before = raw[i - 1].string if i else ""
            after = raw[i + 1].string if i + 1 < len(raw) else ""
            if before in ("def", "class"):
                attrs.add(tok.string)
            elif after == "=":
                if before == ".":
                    attrs.add(tok.string)
            else:
                reads.add(tok.string)
    return reads, attrs


def normalize(source: Source, api: frozenset[str] = frozenset()) -> Document:
    """``source`` as a ``Document``. ``api``: names the assignment's tests call (never dropped as unused)."""
    codes = [MAGIC.sub("", cell.code) for cell in source.cells]
    trees = [_parse(code) for code in codes]
    raws = [_raw(code) for code in codes]
    reads, attrs = _reads(raws)
    used = frozenset(reads | source.names_used | api)
    text_lines: list[str] = []
    template: set[int] = set()
    units: list[list[tuple[str, int]]] = []
    for cell, raw, tree in zip(source.cells, raws, trees, strict=True):
        offset = len(text_lines) + 1  # the header line
        text_lines.append(f"# ── {cell.name} ──")
        text_lines += cell.code.splitlines()
        template.update(offset + n for n in cell.template)
        dead = _Dead(used)
        if tree is not None:
            dead.body(tree.body, top=True)
        tokens = _without([t for t in _tokens(raw, attrs) if t.start[0] not in cell.template], dead.spans)
        units += [[(t.text, offset + t.start[0]) for t in part] for part in _units(tree, tokens)]
    units.sort(key=lambda part: tuple(text for text, _ in part))
    stream = [pair for part in units for pair in part]
    return Document(id=source.id, kind=source.kind, text="\n".join(text_lines),
                    tokens=tuple(t for t, _ in stream), lines=tuple(n for _, n in stream),
                    template=frozenset(template))


def api_names(reference: Source | None) -> frozenset[str]:
    """What the assignment defines for its tests: the top-level names of the reference solution."""
    names: set[str] = set()
    for cell in reference.cells if reference else ():
        tree = _parse(MAGIC.sub("", cell.code))
        for node in tree.body if tree else ():
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
    return frozenset(names)
