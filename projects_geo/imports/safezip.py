"""Unpacking uploaded ZIP files safely: size, ratio and member-count limits, no path tricks.

Declared sizes are checked first (cheap), then the bytes actually written are counted while
extracting, because a hostile ZIP can declare small sizes and inflate to much more.
"""
from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext_lazy as _

from . import limits
from .errors import ImportFileError


def extract(path: Path, dest: Path, *, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Extract the members of ``path`` (optionally only those with ``suffixes``) into ``dest``."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("bad_zip", _("The file is not a valid ZIP archive (it may be damaged or incomplete).")) from None
    max_total, max_ratio = limits.max_unzipped_bytes(), limits.max_zip_ratio()
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.max_zip_members():
            raise ImportFileError("zip_too_many_files", _("The ZIP holds %(n)s files; at most %(max)s are accepted."),
                                  n=len(infos), max=limits.max_zip_members())
        wanted = []
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts:
                raise ImportFileError("zip_bad_path", _("The ZIP contains an unsafe file path: %(name)s."), name=info.filename)
            if name.parts and name.parts[0] == "__MACOSX":
                continue
            if suffixes and name.suffix.lower() not in suffixes:
                continue
            wanted.append((info, name))
        declared = sum(i.file_size for i, _n in wanted)
        if declared > max_total:
            raise ImportFileError("zip_too_large", _("The ZIP unpacks to more than %(max)s MB; split the file or ask an administrator to raise the limit."),
                                  max=max_total // (1024 * 1024))
        out, written = [], 0
        for info, name in wanted:
            if info.compress_size and info.file_size / info.compress_size > max_ratio:
                raise ImportFileError("zip_bomb", _("The ZIP is compressed suspiciously well (a “ZIP bomb”); it was not unpacked."))
            target = dest / name.name  # flatten: shapefile parts are found by name
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_total:
                            raise ImportFileError("zip_too_large", _("The ZIP unpacks to more than %(max)s MB; split the file or ask an administrator to raise the limit."),
                                                  max=max_total // (1024 * 1024))
                        dst.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
                raise ImportFileError("bad_zip", _("The file is not a valid ZIP archive (it may be damaged or incomplete).")) from None
            out.append(target)
        return out


def check(path: Path) -> None:
    """Refuse a ZIP-based file (e.g. .xlsx) whose declared contents break the limits, before a
    library unpacks it in memory."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("bad_zip", _("The file is not a valid ZIP archive (it may be damaged or incomplete).")) from None
    if len(infos) > limits.max_zip_members() * 10:
        raise ImportFileError("zip_too_many_files", _("The ZIP holds %(n)s files; at most %(max)s are accepted."),
                              n=len(infos), max=limits.max_zip_members() * 10)
    if sum(i.file_size for i in infos) > limits.max_unzipped_bytes():
        raise ImportFileError("zip_too_large", _("The ZIP unpacks to more than %(max)s MB; split the file or ask an administrator to raise the limit."),
                              max=limits.max_unzipped_bytes() // (1024 * 1024))
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > limits.max_zip_ratio():
            raise ImportFileError("zip_bomb", _("The ZIP is compressed suspiciously well (a “ZIP bomb”); it was not unpacked."))
