"""The CJK font of the charts and reports, found by its file.

matplotlib looks fonts up by family name in a cache (``fontlist-*.json``) built the first time
it runs; a font installed after that is not in the cache, and every Chinese label becomes an
empty box. So the charts never rely on the cache: :func:`cjk_font_path` finds the font *file*
(``$JIYUE_CJK_FONT``, then the Debian paths of WenQuanYi Micro Hei, then fontconfig's
``fc-list``) and :func:`cjk_family` registers that file with matplotlib's font manager
(``fontManager.addfont``) and returns the family name it carries. When there is no such file,
:class:`CjkFontMissing` says so in Chinese, with the command that installs the font.

The PDF reports use the same font through WeasyPrint and fontconfig (``report.css``);
:func:`jiyue.reports.html_report.write_pdf` checks the file is there first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager

from jiyue.errors import JiyueError

__all__ = ["APT_COMMAND", "CJK_FAMILY", "CjkFontMissing", "DEBIAN_PATHS", "cjk_family", "cjk_font_path"]

CJK_FAMILY = "WenQuanYi Micro Hei"
# where Debian's fonts-wqy-microhei puts the file (the first is the package's own, the second its alternative)
DEBIAN_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
APT_COMMAND = "sudo apt-get install -y fonts-wqy-microhei fontconfig"
ENV = "JIYUE_CJK_FONT"


class CjkFontMissing(JiyueError, RuntimeError):
    """No CJK font file on this machine: charts and reports would draw Chinese as empty boxes."""


def _from_fontconfig() -> str | None:
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(["fc-list", f":family={CJK_FAMILY}", "file"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in out.splitlines() if line.strip())
    return files[0] if files else None


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """The CJK font file; :class:`CjkFontMissing` (with the install command) when there is none."""
    env = os.environ.get(ENV)
    if env:
        if Path(env).is_file():
            return Path(env)
        raise CjkFontMissing(f"环境变量 {ENV} 指向的中文字体文件不存在：{env}（或取消该变量并安装：{APT_COMMAND}）")
    for p in DEBIAN_PATHS:
        if Path(p).is_file():
            return Path(p)
    found = _from_fontconfig()
    if found and Path(found).is_file():
        return Path(found)
    raise CjkFontMissing(
        f"找不到中文字体（{CJK_FAMILY}，Debian 软件包 fonts-wqy-microhei），图表和报告中的中文会显示为空框。"
        f"请先安装：{APT_COMMAND}（或用环境变量 {ENV} 指定一个中文字体文件）。")


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Registers the CJK font file with matplotlib (whatever its cache holds) and returns its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()
