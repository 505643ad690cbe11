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

BAD_ZIP = _("The file is not a valid ZIP archive (it may be damaged or incomplete).")
TOO_LARGE = _("The ZIP unpacks to more than %(max)s MB; split the file or ask an administrator to raise the limit.")
ZIP_BOMB = _("The ZIP is compressed suspiciously well (a “ZIP bomb”); it was not unpacked.")


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("bad_zip", BAD_ZIP) from None


def _too_large() -> ImportFileError:
    return ImportFileError("zip_too_large", TOO_LARGE, max=limits.max_unzipped_bytes() // (1024 * 1024))


def _check_declared(infos, max_members: int) -> None:
    """Member count, declared unpacked size and compression ratio of ``infos``, before unpacking."""
    if len(infos) > max_members:
        raise ImportFileError(
            "zip_too_many_files",
            _("The ZIP holds %(n)s files; at most %(max)s are accepted."),
            n=len(infos),
            max=max_members,
        )
    if sum(i.file_size for i in infos) > limits.max_unzipped_bytes():
        raise _too_large()
    ratio = limits.max_zip_ratio()
    if any(i.compress_size and i.file_size / i.compress_size > ratio for i in infos):
        raise ImportFileError("zip_bomb", ZIP_BOMB)


def extract(path: Path, dest: Path, *, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """Extract the members of ``path`` (optionally only those with ``suffixes``) into ``dest``."""
    max_total = limits.max_unzipped_bytes()
    with open_zip(path) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.max_zip_members():
            raise ImportFileError(
                "zip_too_many_files",
                _("The ZIP holds %(n)s files; at most %(max)s are accepted."),
                n=len(infos),
                max=limits.max_zip_members(),
            )
        wanted = []
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts:
                raise ImportFileError(
                    "zip_bad_path", _("The ZIP contains an unsafe file path: %(name)s."), name=info.filename
                )
            if name.parts and name.parts[0] == "__MACOSX":
                continue
            if suffixes and name.suffix.lower() not in suffixes:
                continue
            wanted.append((info, name))
        _check_declared([i for i, _n in wanted], limits.max_zip_members())
        out, written = [], 0
        for info, name in wanted:
            target = dest / name.name  # flatten: shapefile parts are found by name
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_total:  # more than declared: a lying header
                            raise _too_large()
                        dst.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
                raise ImportFileError("bad_zip", BAD_ZIP) from None
            out.append(target)
        return out


def check(path: Path) -> None:
    """Refuse a ZIP-based file (e.g. .xlsx) whose declared contents break the limits, before a
    library unpacks it in memory."""
    with open_zip(path) as zf:
        infos = zf.infolist()
    _check_declared(infos, limits.max_zip_members() * 10)
