#!/usr/bin/env python3
"""Checks the charts gnuplot drew for a report: fit for slides (issue 17).

Usage: check_charts.py DIR...  (every DIR/*.svg, and DIR/report.html when
there is one)

For every chart (an SVG written by gnuplot's svg terminal, in the style of
lab/report/chart.c):

  * no two series of the key look alike: each series' colours (strokes,
    marker colours, bar fills), markers and dash patterns together differ
    from every other series';
  * each numeric axis (its tic labels are numbers) has a label with a unit
    in parentheses: "throughput (ops/s)", "workers (count)";
  * the x axis' lowest tic is not left of the data's leftmost point (no
    "-1" on a count axis);
  * the key is outside the plot area, so it covers no data;
  * no text is smaller than MIN_FONT pixels (readable at 50 %).

And report.html holds the same charts as the .svg files: every <svg> in it
is one of the files, byte for byte once the page's id prefixes are taken
out (one style for both).

Prints one line per problem, "FILE: what", and exits 1 when there is any;
0 with "N charts checked" otherwise. Python standard library only.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

MIN_FONT = 14
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*[kMGTmuµn]?\s*%?$")
UNIT = re.compile(r"\(.+\)")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


def tag(el):
    return el.tag.replace(SVG, "")


def translate(el):
    """(x, y, rotated) of a text group's transform, or None."""
    m = re.search(r"translate\(([-\d.]+),\s*([-\d.]+)\)",
                  el.get("transform", ""))
    if not m:
        return None
    return float(m.group(1)), float(m.group(2)), "rotate" in el.get(
        "transform", "")


def points_of(d):
    """The vertices of a path's d (M and L commands only, as gnuplot's)."""
    return [(float(x), float(y))
            for x, y in re.findall(r"[ML]\s*([-\d.]+),([-\d.]+)", d or "")]


def colour(s):
    return re.sub(r"\s+", "", s or "")


def text_of(g):
    t = g.find(SVG + "text")
    return "".join(t.itertext()).strip() if t is not None else None


class Chart:
    def __init__(self, path):
        self.path = path
        self.root = ET.parse(path).getroot()
        self.parent = {c: p for p in self.root.iter() for c in p}
        self.problems = []

    def in_plot(self, el):
        while el is not None:
            if el.get("id", "").startswith("gnuplot_plot_"):
                return True
            el = self.parent.get(el)
        return False

    def border(self):
        """The plot area (x0, y0, x1, y1): the first closed path outside
        the plot elements."""
        for p in self.root.iter(SVG + "path"):
            d = p.get("d", "")
            if "Z" in d and not self.in_plot(p):
                pts = points_of(d)
                if len(pts) >= 4:
                    xs, ys = [x for x, _ in pts], [y for _, y in pts]
                    return min(xs), min(ys), max(xs), max(ys)
        return None

    def texts(self):
        """Every text group outside the plot elements, as (kind, axis,
        x, y, rotated, text, tic_x): kind 'tic' (right after a tic mark,
        whose x is tic_x) or 'label'."""
        out = []
        for par in self.root.iter(SVG + "g"):
            prev = None
            for ch in par:
                if tag(ch) == "g" and ch.find(SVG + "text") is not None \
                        and not self.in_plot(ch):
                    pos = translate(ch)
                    if pos:
                        # A tic mark: one segment, or two with the mirror
                        # tic; not a closed path (the border, before a
                        # `set label`).
                        d = prev.get("d", "") if prev is not None and \
                            tag(prev) == "path" else ""
                        mark = points_of(d)
                        if "Z" not in d and len(mark) in (2, 4):
                            (ax, ay), (bx, by) = mark[:2]
                            axis = "x" if abs(ax - bx) < 0.01 else "y"
                            out.append(("tic", axis, *pos, text_of(ch), ax))
                        else:
                            out.append(("label", None, *pos, text_of(ch),
                                        None))
                prev = ch
        return out

    def series(self):
        """The plot elements with a key entry: (title, key position,
        style, data x positions inside the plot area)."""
        box = self.border()
        out = []
        for g in self.root.iter(SVG + "g"):
            if not g.get("id", "").startswith("gnuplot_plot_"):
                continue
            key = None
            for t in g.iter(SVG + "g"):
                if t.find(SVG + "text") is not None:
                    key = (text_of(t), translate(t))
                    break
            if key is None:
                continue  # notitle: an image, labels
            fills, strokes, markers, dashes = set(), set(), set(), set()
            xs_pts, xs_path = [], []

            def inside(x, y):
                return box and box[0] - 0.5 <= x <= box[2] + 0.5 and \
                    box[1] - 0.5 <= y <= box[3] + 0.5
            for el in g.iter():
                t = tag(el)
                if t == "polygon" and el.get("fill"):
                    fills.add(colour(el.get("fill")))
                elif t == "path":
                    if el.get("stroke") not in (None, "currentColor"):
                        strokes.add(colour(el.get("stroke")))
                    if el.get("stroke-dasharray"):
                        dashes.add(el.get("stroke-dasharray"))
                    xs_path += [x for x, y in points_of(el.get("d"))
                                if inside(x, y)]
                elif t == "use":
                    markers.add(el.get(XLINK))
                    if el.get("color"):
                        strokes.add(colour(el.get("color")))
                    pos = translate(el)
                    if pos and inside(pos[0], pos[1]):
                        xs_pts.append(pos[0])
            if not (fills or strokes or markers):
                continue  # text alone: labels drawn at the data
            # Bars: their fill tells them apart; their outline is black.
            style = (frozenset(fills) if fills else frozenset(strokes),
                     frozenset(markers), frozenset(dashes))
            out.append((key[0], key[1], style, xs_pts or xs_path))
        return out

    def check(self):
        p = self.problems
        for el in self.root.iter():
            fs = el.get("font-size")
            if fs and float(fs) < MIN_FONT:
                p.append(f"text of {fs} px, below {MIN_FONT} (unreadable "
                         "at 50 %)")
                break
        box = self.border()
        if box is None:
            p.append("no plot border found")
            return p
        texts = self.texts()
        series = self.series()
        tics = {"x": [], "y": [], "cb": []}
        for kind, axis, x, y, rot, s, tic_x in texts:
            if kind != "tic":
                continue
            if axis == "y" and tic_x > box[2] + 0.5:
                axis = "cb"  # the colour box's tics, right of the plot
            tics[axis].append((tic_x, s))
        labels = [t for t in texts if t[0] == "label"]
        xlabels = [t[5] for t in labels
                   if not t[4] and t[3] > box[3] and
                   box[0] <= t[2] <= box[2]]
        ylabels = [t[5] for t in labels if t[4] and t[2] < box[0]]
        cblabels = [t[5] for t in labels if t[4] and t[2] > box[2]]
        for axis, names in (("x", xlabels), ("y", ylabels),
                            ("cb", cblabels)):
            numeric = [s for _, s in tics[axis] if NUMBER.match(s or "")]
            if not numeric:
                continue
            if not names:
                p.append(f"the {axis} axis (tics {', '.join(numeric[:4])}) "
                         "has no label")
            for n in names:
                if not UNIT.search(n):
                    p.append(f"the {axis} axis label {n!r} gives no unit "
                             "in parentheses")
        seen = {}
        for title, pos, style, xs in series:
            if style in seen:
                p.append(f"series {title!r} looks like {seen[style]!r} "
                         f"(colour, marker and dash: {sorted(style[0])}, "
                         f"{sorted(style[1])}, {sorted(style[2])})")
            seen.setdefault(style, title)
            if pos and box[0] < pos[0] < box[2] and box[1] < pos[1] < box[3]:
                p.append(f"the key entry {title!r} is inside the plot area")
        xnum = [x for x, s in tics["x"] if NUMBER.match(s or "")]
        data = [x for *_, xs in series for x in xs]
        if xnum and data and min(xnum) < min(data) - 1:
            low = min(tics["x"])[1]
            p.append(f"the x axis' lowest tic ({low.strip()}) is left of "
                     "the data's leftmost point")
        return p


def html_svgs(path):
    """The <svg> elements of report.html, with the page's id prefixes
    (c1-, c2-, ...; report_html.c's inline_svg) taken out."""
    with open(path, encoding="utf-8") as f:
        page = f.read()
    out = []
    for m in re.finditer(r"<svg.*?</svg>", page, re.S):
        out.append(re.sub(r"(id='|id=\"|href='#|href=\"#|url\(#)c\d+-",
                          r"\1", m.group(0)))
    return out


def main():
    if len(sys.argv) < 2:
        print("usage: check_charts.py DIR...", file=sys.stderr)
        return 2
    problems, n = [], 0
    for d in sys.argv[1:]:
        files = {}
        for name in sorted(os.listdir(d)):
            if not name.endswith(".svg"):
                continue
            path = os.path.join(d, name)
            n += 1
            try:
                problems += [f"{path}: {w}" for w in Chart(path).check()]
            except ET.ParseError as e:
                problems.append(f"{path}: not XML: {e}")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            files[text[text.find("<svg"):].rstrip()] = name
        html = os.path.join(d, "report.html")
        if os.path.exists(html):
            for i, svg in enumerate(html_svgs(html)):
                if svg.rstrip() not in files:
                    problems.append(f"{html}: chart {i + 1} is none of the "
                                    ".svg files (not the same style)")
    for w in problems:
        print(w)
    if problems:
        return 1
    print(f"{n} charts checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
