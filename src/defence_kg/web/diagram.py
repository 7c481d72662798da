"""A resource's neighbourhood as a diagram, laid out here and drawn as SVG by the page's template
(templates/diagram.html): no script, no CDN.

The resource is in the middle; what points to it is on the left, what it points to on the right,
grouped by property, so that fifty neighbours make a few labelled columns, not a hairball. Each
group holds at most MAX_SHOWN nodes and links the rest to the page's tables. Each neighbour is a
link to its page; each edge is a link to the sentence it comes from, or, when it is inferred
(dashed), to the reasons the page gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .presentation import Node, Page, Value

WIDTH = 960
NODE_WIDTH, NODE_HEIGHT, NODE_GAP = 230, 28, 8
CENTRE_WIDTH = 210
MARGIN = 16
HEADER = 22  # the group's property label above its nodes
GROUP_GAP = 18
TRUNK = 24  # from the centre's side to where a group's edges fan out
MAX_SHOWN = 6
CHAR_WIDTH = 7.2  # of the 13 px system font, roughly: enough to cut labels before they overflow
TYPE = Node("type", iri="http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LEFT_X, RIGHT_X = MARGIN, WIDTH - MARGIN - NODE_WIDTH
CENTRE_X = (WIDTH - CENTRE_WIDTH) / 2
NARROW_WIDTH = 360  # a phone's width, less the page's margins


@dataclass
class Box:
    x: float
    y: float
    width: float
    title: str  # the whole label
    href: str | None
    inferred: bool = False
    height: float = NODE_HEIGHT

    @property
    def text(self) -> str:
        """As much of the title as fits (the template marks a cut with an ellipsis, hidden from
        screen readers, which read the whole title)."""
        room = int((self.width - 16) / CHAR_WIDTH)
        if len(self.title) <= room:
            return self.title
        # Whole words: a screen reader's name (the title) holds what is seen, word for word.
        cut = self.title[: room - 1]
        whole = re.sub(r"\W+$", "", re.sub(r"\w+$", "", cut)) if self.title[room - 1].isalnum() \
            else cut
        return whole or cut

    @property
    def cut(self) -> bool:
        return self.text != self.title


@dataclass
class Edge:
    path: str  # SVG path data
    href: str | None  # the source sentence, or the reasons for an inferred edge
    title: str
    inferred: bool
    statement: tuple[str, str, str]  # the IRIs of its subject, predicate and object


@dataclass
class Group:
    label: Box  # the property, linked to its page
    nodes: list[Box]
    edges: list[Edge]
    trunk: str  # from the centre to the fan
    inferred: bool
    more: Box | None = None  # "+ N more", linked to the page's table


@dataclass
class Diagram:
    width: float
    height: float
    centre: Box
    types: str
    groups: list[Group] = field(default_factory=list)

    @property
    def neighbours(self) -> int:
        return sum(len(g.nodes) for g in self.groups)


def neighbourhood(page: Page, narrow: bool = False) -> Diagram | None:
    """The diagram of a page's resource, or None when nothing links it to another resource:
    wide (what points here on the left, what it points to on the right) or, for a phone,
    narrow (the resource on top, the groups below it, one column)."""
    sentence_of = {"#" + e.anchor: e.segment.href for e in page.evidence}
    right = [*_groups(page.asserted_types + page.inferred_types, TYPE, "#types"),
             *(g for row in page.properties for g in _groups(row.values, row.predicate,
                                                             "#properties"))]
    left = [g for row in page.inverse for g in _groups(row.values, row.predicate, "#inverse")]
    if not right and not left:
        return None
    if narrow:
        return _narrow(page, left, right, sentence_of)
    heights = [_column_height(column) for column in (left, right)]
    height = max(*heights, NODE_HEIGHT * 3) + 2 * MARGIN
    centre = Box(CENTRE_X, height / 2 - NODE_HEIGHT, CENTRE_WIDTH, page.label, None,
                 height=2 * NODE_HEIGHT)
    diagram = Diagram(WIDTH, height, centre, _types(page, CENTRE_WIDTH))
    for column, on_right in ((left, False), (right, True)):
        y = (height - heights[on_right]) / 2
        for spec in column:
            diagram.groups.append(_place(spec, y, on_right, centre, page, sentence_of))
            y += _group_height(spec) + GROUP_GAP
    return diagram


def _narrow(page: Page, left: list, right: list, sentence_of: dict[str, str]) -> Diagram:
    """One column: the resource, then each group under a spine from it, incoming first."""
    width = NARROW_WIDTH
    centre = Box(MARGIN, MARGIN, width - 2 * MARGIN, page.label, None, height=2 * NODE_HEIGHT)
    diagram = Diagram(width, 0, centre, _types(page, centre.width))
    spine_x, x = MARGIN + 12, MARGIN + 40
    above, y = centre.y + centre.height, centre.y + centre.height + GROUP_GAP
    for spec, incoming in [*((s, True) for s in left), *((s, False) for s in right)]:
        text = f"← {spec.label}" if incoming else f"{spec.label} →"
        label = Box(x, y, width - x - MARGIN, text + (" (inferred)" if spec.inferred else ""),
                    spec.href, spec.inferred, HEADER)
        y += HEADER
        nodes, edges = [], []
        for value in spec.values[:MAX_SHOWN]:
            nodes.append(Box(x, y, width - x - MARGIN, value.node.text,
                             value.node.href or value.node.iri, spec.inferred))
            middle = y + NODE_HEIGHT / 2
            statement = (value.node.iri, spec.iri, page.iri) if incoming else (
                page.iri, spec.iri, value.node.iri)
            edges.append(Edge(_curve(spine_x, middle - 14, x, middle), _edge_href(
                value, spec, sentence_of), _edge_title(page.label, spec.label, value,
                                                       not incoming), spec.inferred, statement))
            y += NODE_HEIGHT + NODE_GAP
        more = None
        if len(spec.values) > MAX_SHOWN:
            more = Box(x, y, width - x - MARGIN,
                       f"+ {len(spec.values) - MAX_SHOWN} more: see the table", spec.table)
            y += NODE_HEIGHT + NODE_GAP
        last = nodes[-1].y + NODE_HEIGHT / 2 - 14
        diagram.groups.append(Group(label, nodes, edges, f"M{spine_x},{above:.1f} "
                                    f"L{spine_x},{last:.1f}", spec.inferred, more))
        above, y = last, y - NODE_GAP + GROUP_GAP
    diagram.height = y - GROUP_GAP + MARGIN
    return diagram


def _types(page: Page, width: float) -> str:
    types = Box(0, 0, width, ", ".join(v.node.text for v in page.asserted_types), None)
    return types.text + ("…" if types.cut else "")


@dataclass
class _Spec:
    label: str
    iri: str
    href: str | None
    values: list[Value]
    inferred: bool
    table: str  # the page's section listing them all


def _groups(values: list[Value], predicate: Node, table: str) -> list[_Spec]:
    """A property's linked values, asserted and inferred apart: one group each."""
    linked = [v for v in values if v.node.iri]
    return [_Spec(predicate.text, predicate.iri or "", None if predicate is TYPE else
                  predicate.href, members, inferred, table) for inferred in (False, True)
            if (members := [v for v in linked if v.inferred == inferred])]


def _group_height(spec: _Spec) -> float:
    shown = min(len(spec.values), MAX_SHOWN) + (len(spec.values) > MAX_SHOWN)
    return HEADER + shown * (NODE_HEIGHT + NODE_GAP) - NODE_GAP


def _column_height(column: list[_Spec]) -> float:
    return sum(_group_height(s) for s in column) + GROUP_GAP * max(len(column) - 1, 0)


def _place(spec: _Spec, top: float, on_right: bool, centre: Box, page: Page,
           sentence_of: dict[str, str]) -> Group:
    x = RIGHT_X if on_right else LEFT_X
    label_text = f"{spec.label} →" + (" (inferred)" if spec.inferred else "")
    label = Box(x, top, NODE_WIDTH, label_text, spec.href, spec.inferred, HEADER)
    fan_x = centre.x + centre.width + TRUNK if on_right else centre.x - TRUNK
    side_x = centre.x + centre.width if on_right else centre.x
    node_side = x if on_right else x + NODE_WIDTH
    centre_y = centre.y + centre.height / 2
    y = top + HEADER
    nodes, edges = [], []
    for value in spec.values[:MAX_SHOWN]:
        node = Box(x, y, NODE_WIDTH, value.node.text, value.node.href or value.node.iri,
                   spec.inferred)
        nodes.append(node)
        middle = y + NODE_HEIGHT / 2
        statement = (page.iri, spec.iri, value.node.iri) if on_right else (
            value.node.iri, spec.iri, page.iri)
        edges.append(Edge(_curve(fan_x, centre_y, node_side, middle), _edge_href(
            value, spec, sentence_of), _edge_title(page.label, spec.label, value, on_right),
            spec.inferred, statement))
        y += NODE_HEIGHT + NODE_GAP
    more = None
    if len(spec.values) > MAX_SHOWN:
        hidden = len(spec.values) - MAX_SHOWN
        more = Box(x, y, NODE_WIDTH, f"+ {hidden} more: see the table", spec.table)
    trunk = f"M{side_x:.1f},{centre_y:.1f} L{fan_x:.1f},{centre_y:.1f}"
    return Group(label, nodes, edges, trunk, spec.inferred, more)


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    middle = (x1 + x2) / 2
    return f"M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"


def _edge_href(value: Value, spec: _Spec, sentence_of: dict[str, str]) -> str | None:
    """Where an edge leads: the sentence it comes from, else the graph that holds it; an
    inferred edge to the page's table, where its reasons are."""
    if spec.inferred:
        return spec.table
    for source in value.sources:
        if source.href in sentence_of:
            return sentence_of[source.href]
    return next((s.href for s in value.sources if s.href), spec.table)


def _edge_title(label: str, predicate: str, value: Value, on_right: bool) -> str:
    subject, obj = (label, value.node.text) if on_right else (value.node.text, label)
    kind = "inferred" if value.inferred else "from " + ", ".join(s.text for s in value.sources)
    return f"{subject} — {predicate} → {obj} ({kind})"
