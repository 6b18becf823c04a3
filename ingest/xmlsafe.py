"""Parsing XML from strangers: no entities, no DTDs, no network, clear errors.

Every XML reader (IATI, GraphML, GEXF) goes through here. The parser never
resolves entities, never loads a DTD and never touches the network; a document
whose DOCTYPE declares entities (the shape of an XML bomb or an external
entity attack) is refused outright. A malformed or truncated file becomes an
:class:`~graphmodel.errors.InputError` naming the file, line and column.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.xml"
>>> _ = p.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
>>> parse(p)
Traceback (most recent call last):
...
graphmodel.errors.InputError: ...x.xml: the document declares entities in its DOCTYPE (e), which Stakemap never expands (hint: ...)
>>> _ = p.write_text("<a><b>1</b><b>2</a>")
>>> parse(p)
Traceback (most recent call last):
...
graphmodel.errors.InputError: ...x.xml:1:20: not well-formed XML: ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from graphmodel.errors import InputError

#: Parser options shared by every reader: nothing outside the file is ever read.
SAFE_OPTIONS = dict(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                    dtd_validation=False, remove_comments=True, remove_pis=True)


def localname(element) -> str:
    """An element's tag without its namespace (``''`` for comments and other non-elements)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def namespace(element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def parse(path: Path) -> etree._ElementTree:
    """The whole document, parsed safely."""
    _check_prolog(path)
    parser = etree.XMLParser(**SAFE_OPTIONS)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty", hint="is it truncated?")
    try:
        tree = etree.fromstring(data, parser, base_url=path.name).getroottree()
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc) from None
    _refuse_entities(path, tree)
    return tree


def iterparse(path: Path, tag: str | tuple[str, ...] | None = None) -> Iterator[etree._Element]:
    """Yield each element named ``tag`` (local names, any namespace) when it ends.

    The caller may clear an element once it has read it; memory stays flat on
    large files.
    """
    wanted = {tag} if isinstance(tag, str) else set(tag or ())
    # Only "end" events of the wanted elements reach Python. The DOCTYPE comes before the root
    # element, so it is checked on the first element yielded (entities are never expanded in any case).
    tags = [f"{{*}}{t}" for t in wanted] or None
    _check_prolog(path)
    context = etree.iterparse(str(path), events=("end",), tag=tags, **SAFE_OPTIONS)
    checked = False
    try:
        for _, element in context:
            if not checked:
                _refuse_entities(path, element.getroottree())
                checked = True
            yield element
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(path, exc) from None
    except OSError as exc:  # lxml reports undecodable bytes as an I/O error
        raise InputError(f"{path}: cannot be read as XML ({exc})", hint="check the file's encoding") from None
    root = getattr(context, "root", None)
    if root is None:
        raise InputError(f"{path}: the file holds no XML element", hint="is it empty or truncated?")
    if not checked:
        _refuse_entities(path, root.getroottree())


def element_path(element, stop: etree._Element | None = None) -> str:
    """An XPath-like locator, e.g. ``/iati-activities/iati-activity[3]/transaction[2]``."""
    parts = []
    node = element
    while node is not None and node is not stop:
        parent = node.getparent()
        name = localname(node)
        if parent is None:
            parts.append(name)
        else:
            same = [c for c in parent if c.tag == node.tag]
            parts.append(f"{name}[{same.index(node) + 1}]" if len(same) > 1 else name)
        node = parent
    return "/" + "/".join(reversed(parts))


def text_of(element) -> str:
    """All text inside an element, white space collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


_PROLOG_WINDOW = 1 << 20


def _check_prolog(path: Path) -> None:
    """Refuse a DOCTYPE that declares entities before the parser sees any of the document."""
    with path.open("rb") as handle:
        head = handle.read(_PROLOG_WINDOW)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("latin-1")
    at = text.find("<!DOCTYPE")
    if at == -1:
        return
    root = re.search(r"<[A-Za-z_]", text[at + 9:])
    prolog = text[at: at + 9 + root.start()] if root else text[at:]
    names = re.findall(r"<!ENTITY\s+%?\s*([^\s>]+)", prolog)
    if names:
        _entities_error(path, names)
    if root is None and len(head) == _PROLOG_WINDOW:
        raise InputError(f"{path}: the DOCTYPE is larger than {_PROLOG_WINDOW // 1024} KB",
                         hint="Stakemap reads XML without DTDs; remove the DOCTYPE")


def _entities_error(path: Path, names: list[str]) -> None:
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise InputError(f"{path}: the document declares entities in its DOCTYPE ({shown}), which Stakemap "
                     "never expands", hint="entity declarations are how XML bombs and external-entity "
                     "attacks work; remove the DOCTYPE if the file is genuine")


def _refuse_entities(path: Path, tree) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return
    names = [e.name for e in dtd.iterentities()]
    if names:
        _entities_error(path, names)


def _syntax_error(path: Path, exc: etree.XMLSyntaxError) -> InputError:
    line, column = exc.position if exc.position else (exc.lineno, None)
    place = f"{path}:{line}" + (f":{column}" if column else "")
    message = (exc.msg or str(exc)).split(", line ")[0]
    hint = "the file may be truncated or not XML; check it opens in a browser"
    if "huge" in message.lower() or "amplification" in message.lower():
        hint = "the document expands beyond safe limits and was refused"
    return InputError(f"{place}: not well-formed XML: {message}", hint=hint)
