#!/usr/bin/env python3
"""check_formats.py — is each output of a report well-formed, whatever its
names held? Standard library only. Used by e2e_hostile.sh.

  check_formats.py md FILE       every table row has as many cells as its
                                 header (unescaped | outside code spans do
                                 not count as text: GFM splits on them)
  check_formats.py csv FILE      the rows, read as pandas reads them with
                                 comment="#" (a # line outside quotes is a
                                 comment), all have the header's width
  check_formats.py html FILE REF no <script>, and no tag name that REF (the
                                 same report from plain names) lacks
  check_formats.py jsonl FILE    every line is strict UTF-8 and one JSON
                                 object

Exits 0 when the file passes, 1 with the reason otherwise.
"""
import html.parser
import json
import re
import sys


def cells(row):
    # GFM: a | splits cells unless escaped with a backslash.
    return len(re.findall(r"(?<!\\)\|", row))


def check_md(path):
    header = None
    for no, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header = cells(line)
        elif cells(line) != header:
            return f"{path}:{no}: {cells(line)} cell separators, header has {header}"
    return None


def csv_rows(text):
    """Rows as pandas' C parser reads them with comment='#'."""
    rows, row, field, i, quoted, start = [], [], [], 0, False, True
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                field.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                field.append(ch)
        elif start and ch == "#":
            i = text.find("\n", i)
            i = len(text) if i < 0 else i + 1
            continue
        elif ch == '"':
            quoted = True
        elif ch == ",":
            row.append("".join(field))
            field = []
        elif ch == "\n":
            row.append("".join(field))
            rows.append(row)
            row, field = [], []
            start = True
            i += 1
            continue
        else:
            field.append(ch)
        start = False
        i += 1
    if quoted:
        raise ValueError("a quoted field never closed")
    return rows


def check_csv(path):
    rows = csv_rows(open(path, encoding="utf-8", newline="").read())
    if not rows or rows[0][0] != "workload":
        return f"{path}: no header row"
    for n, r in enumerate(rows[1:], 2):
        if len(r) != len(rows[0]):
            return f"{path}: row {n} has {len(r)} fields, the header {len(rows[0])}"
        for f in r:
            if f[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
                r"-?[0-9.e+-]+", f
            ):
                return f"{path}: row {n}: field {f[:30]!r} reads as a formula"
    return None


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def tags_of(path):
    p = Tags()
    p.feed(open(path, encoding="utf-8").read())
    p.close()
    return p.tags


def check_html(path, ref):
    got, want = tags_of(path), tags_of(ref)
    if "script" in got:
        return f"{path}: a <script>"
    extra = got - want
    return f"{path}: elements not in the plain report: {sorted(extra)}" if extra else None


def check_jsonl(path):
    for no, line in enumerate(open(path, "rb"), 1):
        try:
            if not isinstance(json.loads(line.decode("utf-8", "strict")), dict):
                return f"{path}:{no}: not an object"
        except (UnicodeDecodeError, ValueError) as e:
            return f"{path}:{no}: {e}"
    return None


def main():
    kind, path = sys.argv[1], sys.argv[2]
    try:
        why = {
            "md": lambda: check_md(path),
            "csv": lambda: check_csv(path),
            "html": lambda: check_html(path, sys.argv[3]),
            "jsonl": lambda: check_jsonl(path),
        }[kind]()
    except (ValueError, UnicodeDecodeError) as e:
        why = f"{path}: {e}"
    if why:
        print(why, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
