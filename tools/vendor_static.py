"""Copy the site's third-party static files out of pinned npm packages into static/vendor/.

    make vendor        (or: python tools/vendor_static.py)

Run it after changing a pin below; commit what it writes. The site never loads anything from a
CDN: these files are served from static/ like our own. Needs `npm` (only to fetch the packages;
`npm pack` downloads the tarball without running any install script).

- lucide-static (ISC licence): the icons in ICONS, gathered into one SVG sprite of <symbol>s,
  used as <svg><use href="static/vendor/icons.svg#NAME"></svg> by the icon() macro.
- @fontsource-variable/inter (SIL Open Font Licence 1.1): Inter, a variable font, Latin subsets.
"""

from __future__ import annotations

import re
import subprocess  # nosec B404: runs npm on the developer's machine, never from the site
import sys
import tarfile
import tempfile
from pathlib import Path

LUCIDE = "lucide-static@1.62.0"
INTER = "@fontsource-variable/inter@5.3.0"
ICONS = sorted({
    "arrow-left", "arrow-right", "arrow-left-right", "calendar", "calendar-check", "calendar-plus",
    "check", "circle-check", "circle-help", "chevron-down", "chevron-right", "clipboard-list",
    "copy", "door-open", "download", "eye", "eye-off", "file-text", "filter", "handshake",
    "heart-handshake", "house", "info", "link", "list-checks", "lock", "lock-open", "log-in",
    "log-out", "mail", "map-pin", "pencil", "plus", "printer", "refresh-cw", "search",
    "settings", "shuffle", "sparkles", "table-2", "trash-2", "triangle-alert", "upload", "user",
    "user-check", "user-minus", "user-plus", "user-round", "users", "utensils", "x",
    "circle-user-round", "book-open", "layout-grid", "clock", "send", "star",
})
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "vendor"


def npm_pack(spec: str, into: Path) -> Path:
    out = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(into)],  # nosec B603 B607
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    folder = into / spec.replace("/", "_")
    folder.mkdir()
    with tarfile.open(into / out) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def sprite(package: Path) -> str:
    symbols = []
    for name in ICONS:
        text = (package / "icons" / f"{name}.svg").read_text()
        body = re.search(r"<svg[^>]*>(.*)</svg>", text, re.S)
        if body is None:
            sys.exit(f"{name}.svg: no <svg> element")
        inner = re.sub(r"\s+", " ", body.group(1)).strip()
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24">{inner}</symbol>')
    head = (f"<!-- {LUCIDE}, ISC licence (see LICENSE-lucide.txt); written by tools/vendor_static.py -->\n"
            '<svg xmlns="http://www.w3.org/2000/svg" fill="none" stroke="currentColor" stroke-width="2" '
            'stroke-linecap="round" stroke-linejoin="round">\n')
    return head + "\n".join(symbols) + "\n</svg>\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        lucide = npm_pack(LUCIDE, Path(tmp))
        (OUT / "icons.svg").write_text(sprite(lucide))
        (OUT / "LICENSE-lucide.txt").write_text((lucide / "LICENSE").read_text())
        inter = npm_pack(INTER, Path(tmp))
        for subset in ("latin", "latin-ext"):
            name = f"inter-{subset}-wght-normal.woff2"
            (OUT / name).write_bytes((inter / "files" / name).read_bytes())
        (OUT / "LICENSE-inter.txt").write_text((inter / "LICENSE").read_text())
    print(f"wrote {len(ICONS)} icons and the Inter font into {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
