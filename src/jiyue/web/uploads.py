"""Uploaded files: streamed to disk with a size limit, then checked by type and content.

A file is accepted only when its extension is on the list, its first bytes match that type
(a renamed file is refused), it is not empty, and — for ZIP containers (.zip, .xlsx, .docx) —
it opens as a ZIP whose entries stay inside it (no absolute paths or ``..``), are not too many
and do not unpack to more than the limit (zip bombs).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from fastapi import UploadFile

from jiyue.web.errors import WebError
from jiyue.web.labels import MSG

CHUNK = 1024 * 1024
KIND_NAMES = {".gpkg": "GeoPackage", ".zip": "ZIP", ".xlsx": "Excel", ".pdf": "PDF", ".jpg": "JPEG",
              ".jpeg": "JPEG", ".png": "PNG", ".docx": "Word"}
ZIP_MEMBERS = {".xlsx": "[Content_Types].xml", ".docx": "[Content_Types].xml"}


_SAFE_NAME = re.compile(r"[^\w.\-（）()\u4e00-\u9fff]+")


def safe_name(name: str, index: int) -> str:
    """A file name fit to keep on the server: its last part only, odd characters replaced, at most
    120 characters (``evidence-N`` when nothing is left)."""
    base = Path(name.replace("\\", "/")).name
    base = _SAFE_NAME.sub("_", base).strip("._") or f"evidence-{index}"
    return base[-120:]


async def save_upload(f: UploadFile, target: Path, max_mb: int) -> tuple[int, str]:
    """Stream ``f`` to ``target``; 413 past ``max_mb``. Returns (size, sha256)."""
    limit = max_mb * 1024 * 1024
    h = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        while True:
            chunk = await f.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise WebError(413, MSG["too_large"].format(limit=max_mb))
            h.update(chunk)
            out.write(chunk)
    return size, h.hexdigest()


def check_upload(path: Path, filename: str, types: dict[str, tuple[bytes, ...]], size: int, *,
                 max_zip_mb: int = 2000, max_zip_entries: int = 5000) -> str:
    """Refuse a file of the wrong type or content (415/400); returns its suffix."""
    suffix = Path(filename).suffix.lower()
    if suffix not in types:
        raise WebError(415, MSG["bad_type"].format(found=suffix or "（无扩展名）", expected="、".join(types)))
    if size == 0:
        raise WebError(400, MSG["empty_file"])
    with path.open("rb") as fh:
        head = fh.read(32)
    if not any(head.startswith(m) for m in types[suffix]):
        raise WebError(415, MSG["bad_content"].format(suffix=suffix, kind=KIND_NAMES.get(suffix, suffix)))
    if types[suffix] == (b"PK\x03\x04",):
        _check_zip(path, suffix, max_zip_mb, max_zip_entries)
    return suffix


def _check_zip(path: Path, suffix: str, max_mb: int, max_entries: int) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WebError(415, MSG["bad_content"].format(suffix=suffix, kind=KIND_NAMES.get(suffix, suffix))) from None
    if len(infos) > max_entries:
        raise WebError(400, MSG["zip_unsafe"].format(reason=f"包含 {len(infos)} 个文件，上限 {max_entries}"))
    total = sum(i.file_size for i in infos)
    if total > max_mb * 1024 * 1024:
        raise WebError(400, MSG["zip_unsafe"].format(reason=f"解压后 {total / 1048576:.0f} MB，上限 {max_mb} MB"))
    for i in infos:
        name = i.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":"):
            raise WebError(400, MSG["zip_unsafe"].format(reason=f"含有不安全的路径「{i.filename[:80]}」"))
        if i.compress_size and i.file_size / i.compress_size > 1000:
            raise WebError(400, MSG["zip_unsafe"].format(reason=f"「{i.filename[:80]}」压缩比异常"))
    member = ZIP_MEMBERS.get(suffix)
    if member and member not in {i.filename for i in infos}:
        raise WebError(415, MSG["bad_content"].format(suffix=suffix, kind=KIND_NAMES.get(suffix, suffix)))
