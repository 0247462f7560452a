"""Putting back the package parts openpyxl drops when it saves a workbook.

openpyxl rebuilds the whole OOXML package from its object model. Parts it does not model
are lost or half-kept; the ones that matter to TagihLite's users:

* the ribbon: ``customUI/customUI.xml`` (rel type ``.../2006/relationships/ui/extensibility``)
  and ``customUI/customUI14.xml`` (``.../2007/relationships/ui/extensibility``) with their own
  ``_rels`` and images. openpyxl (keep_vba) copies the files but only re-links the 2006 part,
  may reuse a clashing relationship Id, and never writes content types for ribbon images;
* the VBA project's own relationships (``xl/_rels/vbaProject.bin.rels`` -> the signature);
* other package-level parts linked from ``_rels/.rels`` (thumbnail, custom properties) and
  SharePoint ``customXml`` items linked from the workbook.

:func:`restore_parts_in_file` compares the original package with openpyxl's output and copies such
parts back byte for byte, with their relationships and content types.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"

UI_2006 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
UI_2007 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
# A signature over the package is void once we changed a cell: do not resurrect it.
NEVER_RESTORE = frozenset({
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin",
})
# Workbook-level relationships that nothing in workbook.xml points at, safe to re-add.
WORKBOOK_SAFE = frozenset({
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
})
VBA_PART = "xl/vbaProject.bin"


@dataclass
class Rel:
    id: str
    type: str
    target: str
    external: bool = False


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def read_rels(zf: zipfile.ZipFile, part: str) -> list[Rel]:
    try:
        root = ET.fromstring(zf.read(rels_name(part)))
    except KeyError:
        return []
    return [Rel(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""),
                r.get("TargetMode") == "External")
            for r in root.iter(f"{{{PKG_REL_NS}}}Relationship")]


def write_rels(rels: list[Rel]) -> bytes:
    external = ' TargetMode="External"'
    items = "".join(
        f"<Relationship Id={quoteattr(r.id)} Type={quoteattr(r.type)} "
        f"Target={quoteattr(r.target)}{external if r.external else ''}/>"
        for r in rels)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_REL_NS}">{items}</Relationships>').encode()


def _fresh_id(used: set[str]) -> str:
    n = 1
    while f"rId{n}" in used:
        n += 1
    used.add(f"rId{n}")
    return f"rId{n}"


def _dedupe_ids(rels: list[Rel]) -> bool:
    """Give clashing relationship Ids fresh numbers; True when something changed."""
    seen: set[str] = set()
    changed = False
    all_ids = {r.id for r in rels}
    for rel in rels:
        if rel.id in seen or not rel.id:
            rel.id = _fresh_id(all_ids)
            changed = True
        seen.add(rel.id)
    return changed


class _ContentTypes:
    def __init__(self, xml: bytes) -> None:
        root = ET.fromstring(xml)
        self.xml = xml
        self.defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                         for d in root.iter(f"{{{CT_NS}}}Default")}
        self.overrides = {o.get("PartName", ""): o.get("ContentType", "")
                          for o in root.iter(f"{{{CT_NS}}}Override")}
        self.added: list[str] = []

    def ensure_like(self, part: str, original: _ContentTypes) -> None:
        name = "/" + part
        if name in original.overrides and name not in self.overrides:
            self.overrides[name] = original.overrides[name]
            self.added.append(f"<Override PartName={quoteattr(name)} "
                              f"ContentType={quoteattr(original.overrides[name])}/>")
            return
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        if (ext and name not in self.overrides and ext not in self.defaults
                and ext in original.defaults):
            self.defaults[ext] = original.defaults[ext]
            # Defaults must precede Overrides in the schema: insert after the root tag.
            self.added.insert(0, f"<Default Extension={quoteattr(ext)} "
                                 f"ContentType={quoteattr(original.defaults[ext])}/>")

    def render(self) -> bytes:
        if not self.added:
            return self.xml
        text = self.xml.decode("utf-8")
        defaults = "".join(a for a in self.added if a.startswith("<Default"))
        overrides = "".join(a for a in self.added if a.startswith("<Override"))
        head_end = text.index(">", text.index("<Types")) + 1
        text = text[:head_end] + defaults + text[head_end:]
        close = text.rindex("</Types>")
        return (text[:close] + overrides + text[close:]).encode("utf-8")


def _part_tree(zf: zipfile.ZipFile, part: str, names: set[str]) -> list[str]:
    """The part, its .rels and every internal part it links to, recursively."""
    out: list[str] = []
    todo = [part]
    while todo:
        current = todo.pop()
        if current in out or current not in names:
            continue
        out.append(current)
        if rels_name(current) in names:
            out.append(rels_name(current))
            todo.extend(resolve(current, r.target) for r in read_rels(zf, current)
                        if not r.external)
    return out


@dataclass
class Repair:
    """What :func:`plan_repair` found missing from openpyxl's output."""

    replace: dict[str, bytes]  # part name -> new content (written or overwritten)
    carried: list[str]  # original parts to copy back (or, if present, to give a type)
    new_names: set[str]

    @property
    def restored(self) -> list[str]:
        return sorted({*(p for p in self.carried if p not in self.new_names), *self.replace})

    def write(self, new: zipfile.ZipFile, original: zipfile.ZipFile,
              dst: zipfile.ZipFile) -> None:
        """Copy ``new`` into ``dst`` part by part (streamed: a 100 MB sheet part is never
        held whole in memory), with the replacements and the carried original parts."""
        replace = dict(self.replace)
        for info in new.infolist():
            data = replace.pop(info.filename, None)
            if data is not None:
                dst.writestr(_fresh_info(info), data)
            else:
                _copy_part(new, info, dst)
        for name, data in replace.items():  # parts openpyxl did not write at all
            dst.writestr(name, data)
        for p in self.carried:
            if p not in self.new_names and p not in self.replace:
                _copy_part(original, original.getinfo(p), dst)


def _fresh_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new entry like ``info`` (name, time, compression, attributes) for another zip."""
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type, out.external_attr = info.compress_type, info.external_attr
    return out


def _copy_part(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile) -> None:
    target = _fresh_info(info)
    target.file_size = info.file_size  # lets zipfile pick ZIP64 up front for huge parts
    with src.open(info) as fin, dst.open(target, "w") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def restore_parts_in_file(original: zipfile.ZipFile, saved: Path) -> list[str]:
    """Copy back into openpyxl's output at ``saved`` what it dropped from ``original``;
    return the part names restored or replaced. The file is rebuilt (through a temp file
    beside it, then replaced) only when something must be restored, and no whole package
    is ever held in memory."""
    with zipfile.ZipFile(saved) as new:
        repair = plan_repair(original, new)
        if repair is None:
            return []
        fd, fixed_name = tempfile.mkstemp(prefix=".~tagihlite-", suffix=".fix",
                                          dir=saved.parent)
        fixed = Path(fixed_name)
        try:
            with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as dst:
                repair.write(new, original, dst)
        except BaseException:
            fixed.unlink(missing_ok=True)
            raise
    os.replace(fixed, saved)
    return repair.restored


def plan_repair(original: zipfile.ZipFile, new: zipfile.ZipFile) -> Repair | None:
    """What must go back into ``new`` (openpyxl's output) from ``original``; None if nothing."""
    orig_names = set(original.namelist())
    new_names = set(new.namelist())
    replace: dict[str, bytes] = {}
    carried: list[str] = []

    def carry(parts: list[str]) -> None:
        for p in parts:
            if p not in new_names and p not in carried:
                carried.append(p)

    # 1. package-level relationships (ribbon, thumbnail, custom properties ...)
    orig_root = read_rels(original, "")
    new_root = read_rels(new, "")
    root_changed = _merge_rels("", original, orig_root, new_root, orig_names, carry,
                               lambda r: r.type not in NEVER_RESTORE)
    if _dedupe_ids(new_root) or root_changed:
        replace[ROOT_RELS] = write_rels(new_root)

    # 2. workbook-level relationships nothing else refers to (customXml)
    wb_part = next((resolve("", r.target) for r in new_root
                    if r.type.endswith("/officeDocument")), "xl/workbook.xml")
    orig_wb = next((resolve("", r.target) for r in orig_root
                    if r.type.endswith("/officeDocument")), "xl/workbook.xml")
    new_wb_rels = read_rels(new, wb_part)
    if orig_wb == wb_part and _merge_rels(
            wb_part, original, read_rels(original, orig_wb), new_wb_rels, orig_names,
            carry, lambda r: r.type in WORKBOOK_SAFE):
        _dedupe_ids(new_wb_rels)
        replace[rels_name(wb_part)] = write_rels(new_wb_rels)

    # 3. the VBA project: byte-identical, with its own relationships (signature)
    if VBA_PART in orig_names and VBA_PART in new_names:
        if new.read(VBA_PART) != original.read(VBA_PART):
            replace[VBA_PART] = original.read(VBA_PART)
        carry(_part_tree(original, VBA_PART, orig_names)[1:])

    # 4. ribbon parts openpyxl copied without their content types (images)
    for rel in orig_root:
        if rel.type in (UI_2006, UI_2007):
            for p in _part_tree(original, resolve("", rel.target), orig_names):
                if p in new_names and p not in carried:
                    carried.append(p)  # present, but make sure it has a content type

    if not carried and not replace:
        return None
    types = _ContentTypes(new.read(CONTENT_TYPES))
    orig_types = _ContentTypes(original.read(CONTENT_TYPES))
    for p in carried:
        if not p.endswith(".rels"):
            types.ensure_like(p, orig_types)
    if types.added:
        replace[CONTENT_TYPES] = types.render()
    return Repair(replace, carried, new_names)


def _merge_rels(source: str, original: zipfile.ZipFile, orig_rels: list[Rel],
                new_rels: list[Rel], orig_names: set[str], carry, wanted) -> bool:
    """Add to ``new_rels`` the wanted original relationships it lacks; carry their parts."""
    have = {(r.type, resolve(source, r.target)) for r in new_rels}
    have_types = {r.type for r in new_rels}
    changed = False
    for rel in orig_rels:
        if not wanted(rel) or rel.external:
            continue
        target = resolve(source, rel.target)
        if (rel.type, target) in have or target not in orig_names:
            continue
        if rel.type not in (UI_2006, UI_2007) and rel.type in have_types and source == "":
            continue  # openpyxl wrote its own part of that kind (e.g. custom properties)
        new_rels.append(Rel(rel.id, rel.type, rel.target))
        have.add((rel.type, target))
        carry(_part_tree(original, target, orig_names))
        changed = True
    return changed
