"""The DOM a headless Chromium built from a page, as a small tree to query (tests of the HTML reports).

``rendered(html, folder)`` loads the page through ``tests.support.browser.dump_dom`` (offline) and
parses the serialized DOM with the standard library's ``html.parser``; ``Node.find`` and
``Node.by_class`` select elements, and ``Node.text`` is their ``textContent``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.support.browser import dump_dom

VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}


class Node:
    """An element of the rendered DOM: tag, attributes, children, text."""

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag, self.attrs, self.children, self.parts = tag, attrs, [], []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, predicate) -> list[Node]:
        found = [self] if predicate(self) else []
        for child in self.children:
            found += child.find(predicate)
        return found

    def by_class(self, name: str) -> list[Node]:
        return self.find(lambda node: name in node.attrs.get("class", "").split())


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):
        for node in self.stack:  # text belongs to every open ancestor, like textContent
            node.parts.append(data)


def parse(html: str) -> Node:
    """The element tree of serialized HTML (as Chromium's ``--dump-dom`` writes it)."""
    builder = _Builder()
    builder.feed(html)
    return builder.root


def rendered(html: str, folder: Path, name: str = "page.html") -> Node:
    """Write ``html`` into ``folder``, load it in headless Chromium with no network, parse the DOM it built."""
    page = Path(folder) / name
    page.write_text(html, encoding="utf-8")
    return parse(dump_dom(page))
