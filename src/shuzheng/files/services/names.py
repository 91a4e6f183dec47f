"""File names as the platform keeps and shows them.

The name an applicant's computer sent is only a label: the stored file is named by its UUID.
The label is cleaned so that it is safe to show anywhere (templates escape it as well):

* only the last path segment is kept (``C:\\Users\\x\\scan.pdf`` → ``scan.pdf``);
* Unicode NFC; control, format (e.g. the right-to-left override that turns ``fdp.exe`` around),
  private-use and unassigned characters are removed, other spacing becomes one space;
* markup, shell and template characters (``< > " ' & ` ; : * ? | % $ { } \\``) are removed;
* leading and trailing dots, spaces, hyphens and underscores are removed;
* the extension is the detected type's (``.pdf``, ``.png``, ``.jpg`` or ``.jpeg``): another
  extension is replaced, a missing one added;
* at most ``MAX_NAME`` characters; a name with nothing left becomes ``文件``.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 100
DEFAULT_STEM = "文件"
# content type → (extension to add, extensions kept as given)
EXTENSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": (".pdf", (".pdf",)),
    "image/png": (".png", (".png",)),
    "image/jpeg": (".jpg", (".jpg", ".jpeg")),
}
_REMOVED = str.maketrans("", "", "<>\"'&`;:*?|%${}\\/")
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_SPACES = re.compile(r"\s+")
# an extension to replace: a short run of ASCII letters and digits with at least one letter
_EXTENSION = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")
_EDGES = ". -_"


def clean_name(raw: str, content_type: str) -> str:
    """The label kept for an upload named ``raw`` whose content is ``content_type``."""
    name = re.split(r"[/\\]", raw or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    name = _SPACES.sub(" ", name.translate(_REMOVED))
    default, kept = EXTENSIONS[content_type]
    stem, ext = name, default
    found = _EXTENSION.search(name)
    if found is not None:
        stem = name[: found.start()]
        if found.group().lower() in kept:
            ext = found.group().lower()
    stem = unicodedata.normalize("NFC", stem.strip(_EDGES))  # again: removals may join marks
    stem = stem[: MAX_NAME - len(ext)].rstrip(_EDGES) or DEFAULT_STEM
    return stem + ext
