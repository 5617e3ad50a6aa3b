"""YAML -> plain data, remembering the line of every mapping key and list item.

PyYAML's safe loader forgets where values came from; error messages must name
the line, so we compose the node tree and build the data ourselves, recording
``path -> line`` (1-based) on the way. Duplicate mapping keys, which PyYAML
silently accepts, are reported instead of letting the last one win.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path = tuple[object, ...]


@dataclass
class MarkedDocument:
    """The data of one YAML document and the line of each path in it."""

    data: object
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, int]] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


class _Builder:
    def __init__(self) -> None:
        self.loader = yaml.SafeLoader("")
        self.doc = MarkedDocument(None)

    def build(self, node: yaml.Node, path: Path) -> object:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = self.loader.construct_object(key_node, deep=True)
                key_path = (*path, key)
                if key in result:
                    self.doc.duplicate_keys.append((key_path, key_node.start_mark.line + 1))
                    continue
                self.doc.lines[key_path] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, key_path)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def load_marked(text: str) -> MarkedDocument:
    """Parse one YAML document; raises yaml.YAMLError (with a mark) when it is not YAML."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    builder = _Builder()
    if node is None:
        return builder.doc
    builder.doc.data = builder.build(node, ())
    return builder.doc
