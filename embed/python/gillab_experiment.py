"""Experiment files, read for the orchestrator (`gillab run FILE.toml`).

The orchestrator (lab/experiment.c) links no Python and has no TOML parser:
it runs `gillab-runner-TAG --toml FILE`, which calls load() here with the
runtime's own tomllib (3.11+), and gets back JSON:

  {"doc": the document (tables, arrays, strings, numbers, booleans),
   "keys": {"dotted.key": [line, column], ...},
   "sha256": the file's SHA-256 in hex}

or {"invalid": {"message", "line", "column"}} when the file cannot be read
or is not TOML (line and column are 0 when unknown). "keys" lets the
orchestrator name the line and column of a key whose value it refuses:
every key, table header and array element of the file, as
"reps", "workloads[1]", "workloads[1].units" (arrays of tables count their
elements the same way). Dates and times have no use in an experiment and
JSON has no type for them: they are refused here, where they are seen.
"""

import datetime
import hashlib
import math
import re
import tomllib

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def load(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return _invalid(f"cannot read it: {e.strerror}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return _invalid("not UTF-8 text", line, 1)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        m = _AT.search(message)
        if m:
            return _invalid(message[: m.start()], int(m[1]), int(m[2]))
        m = _AT_END.search(message)
        if m:  # the position just past the last character
            lines = text.split("\n")
            return _invalid(f"{message[: m.start()]} at the end of the file",
                            len(lines), len(lines[-1]) + 1)
        # 3.14 keeps the position in attributes as well.
        return _invalid(message, getattr(e, "lineno", 0), getattr(e, "colno", 0))
    try:
        keys = _positions(text)
    except (IndexError, ValueError):
        keys = {}  # a shape the scanner does not know: no positions
    bad = _unsupported(doc, "")
    if bad:
        key, what = bad
        line, col = _locate(keys, key)
        return _invalid(f"{key}: {what}", line, col)
    return {"doc": doc, "keys": keys, "sha256": hashlib.sha256(data).hexdigest()}


def _invalid(message, line=0, column=0):
    return {"invalid": {"message": message, "line": line, "column": column}}


def _unsupported(value, key):
    """The first value JSON cannot carry, as (dotted key, why), or None."""
    if isinstance(value, (datetime.date, datetime.time)):
        return key, "dates and times are not taken in an experiment file"
    if isinstance(value, float) and not math.isfinite(value):
        return key, "inf and nan are not taken in an experiment file"
    if isinstance(value, dict):
        for k, v in value.items():
            bad = _unsupported(v, f"{key}.{k}" if key else k)
            if bad:
                return bad
    if isinstance(value, list):
        for i, v in enumerate(value):
            bad = _unsupported(v, f"{key}[{i}]")
            if bad:
                return bad
    return None


def _locate(keys, key):
    """The position of key, or of the nearest enclosing key the file
    shows; (0, 0) when none."""
    while key:
        if key in keys:
            return keys[key]
        key = re.sub(r"(\[\d+\]|\.[^.\[]*|^[^.\[]*)$", "", key)
    return 0, 0


class _Scanner:
    """Positions of the keys of a document tomllib has accepted: enough of
    TOML's grammar to step over any valid value (strings of the four kinds,
    arrays, inline tables, the rest up to a delimiter), recording where
    each key, header and array element starts."""

    def __init__(self, text):
        self.s = text
        self.i = 0
        self.keys = {}
        self.aot = {}  # array of tables -> its current element's index

    def pos(self, i):
        line = self.s.count("\n", 0, i) + 1
        return [line, i - (self.s.rfind("\n", 0, i) + 1) + 1]

    def peek(self, n=1):
        return self.s[self.i : self.i + n]

    def skip(self, newlines):
        """Skips spaces and comments, and line breaks when newlines."""
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
            else:
                break

    def string(self):
        """Steps over a string at i; returns its value (escapes are kept
        as written: keys that need them match no known key anyway)."""
        for q in ('"""', "'''"):
            if self.peek(3) == q:
                end = self.i + 3
                while True:
                    end = self.s.index(q, end)
                    if q == '"""' and _escaped(self.s, end):
                        end += 1
                        continue
                    break
                while self.s[end + 3 : end + 4] == q[0]:  # up to 2 more quotes
                    end += 1
                value = self.s[self.i + 3 : end]
                self.i = end + 3
                return value
        q = self.s[self.i]
        end = self.i + 1
        while self.s[end] != q or (q == '"' and _escaped(self.s, end)):
            end += 1
        value = self.s[self.i + 1 : end]
        self.i = end + 1
        return value

    def key(self):
        """A dotted key at i, as a list of its parts."""
        parts = []
        while True:
            self.skip(False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                m = _BARE.match(self.s, self.i)
                parts.append(m[0])
                self.i = m.end()
            self.skip(False)
            if self.peek() != ".":
                return parts
            self.i += 1

    def value(self, name):
        self.skip(False)
        c = self.peek()
        if c == "[":
            self.i += 1
            n = 0
            while True:
                self.skip(True)
                if self.peek() == "]":
                    self.i += 1
                    return
                element = f"{name}[{n}]"
                self.keys[element] = self.pos(self.i)
                self.value(element)
                n += 1
                self.skip(True)
                if self.peek() == ",":
                    self.i += 1
        elif c == "{":
            self.i += 1
            while True:
                self.skip(False)
                if self.peek() == "}":
                    self.i += 1
                    return
                self.pair(name)
                self.skip(False)
                if self.peek() == ",":
                    self.i += 1
        elif c in ('"', "'"):
            self.string()
        else:
            while self.i < len(self.s) and self.s[self.i] not in ",]}#\r\n":
                self.i += 1

    def pair(self, table):
        start = self.i
        parts = self.key()
        name = ".".join(([table] if table else []) + parts)
        self.keys[name] = self.pos(start)
        self.skip(False)
        self.i += 1  # '='
        self.value(name)

    def header(self):
        start = self.i
        array = self.peek(2) == "[["
        self.i += 2 if array else 1
        parts = self.key()
        self.i += 2 if array else 1
        # A part that names an array of tables means its current element.
        name = ""
        for k, part in enumerate(parts):
            name = f"{name}.{part}" if name else part
            if k == len(parts) - 1 and array:
                n = self.aot.get(name, -1) + 1
                self.aot[name] = n
                # A new element: the arrays of tables under it start over.
                for sub in [a for a in self.aot if a.startswith(f"{name}[")]:
                    del self.aot[sub]
                name = f"{name}[{n}]"
            elif name in self.aot:
                name = f"{name}[{self.aot[name]}]"
        self.keys.setdefault(name, self.pos(start))
        return name

    def document(self):
        table = ""
        while True:
            self.skip(True)
            if self.i >= len(self.s):
                return self.keys
            if self.peek() == "[":
                table = self.header()
            else:
                self.pair(table)


def _escaped(s, i):
    """Whether the quote at s[i] is escaped by an odd run of backslashes."""
    n = 0
    while s[i - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def _positions(text):
    return _Scanner(text).document()
