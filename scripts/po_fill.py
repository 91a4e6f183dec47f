"""Fill untranslated or fuzzy entries of a .po file from a JSON dict {msgid: msgstr}.

Usage: python scripts/po_fill.py src/shuzheng/locale/en/LC_MESSAGES/django.po translations.json
Prints the msgids still untranslated. Plural entries take the same text for both forms unless
the JSON value is a list [singular, plural].
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(po_path: str, tr_path: str) -> int:
    tr = json.loads(Path(tr_path).read_text(encoding="utf-8"))
    entries = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    out, missing = [], []
    for idx, entry in enumerate(entries):
        lines = entry.split("\n")
        if idx == 0 or not any(line.startswith("msgid ") for line in lines):
            out.append(entry)
            continue
        comments = [ln for ln in lines if ln.startswith("#") and not ln.startswith("#|")]
        flags = [ln for ln in comments if ln.startswith("#,")]
        other = [ln for ln in comments if not ln.startswith("#,")]
        body = [ln for ln in lines if not ln.startswith("#")]
        sections: dict[str, list[str]] = {}
        key = ""
        for ln in body:
            m = re.match(r'^(msgid_plural|msgid|msgstr\[\d\]|msgstr) (".*")$', ln)
            if m:
                key = m.group(1)
                sections[key] = [m.group(2)]
            elif ln.startswith('"') and key:
                sections[key].append(ln)
        msgid = _unquote(sections["msgid"])
        fuzzy = any("fuzzy" in f for f in flags)
        plural = "msgid_plural" in sections
        current = _unquote(sections.get("msgstr[0]" if plural else "msgstr", ['""']))
        if current and not fuzzy:
            out.append(entry)
            continue
        if msgid not in tr:
            missing.append(msgid)
            out.append(entry)
            continue
        value = tr[msgid]
        new_flags = []
        for f in flags:
            rest = [x.strip() for x in f[2:].split(",") if x.strip() and x.strip() != "fuzzy"]
            if rest:
                new_flags.append("#, " + ", ".join(rest))
        new = other + new_flags + ["msgid " + _quote(msgid)]
        if plural:
            singular, plural_text = value if isinstance(value, list) else [value, value]
            new += ["msgid_plural " + _quote(_unquote(sections["msgid_plural"]))]
            new += ["msgstr[0] " + _quote(singular), "msgstr[1] " + _quote(plural_text)]
        else:
            new += ["msgstr " + _quote(value[-1] if isinstance(value, list) else value)]
        out.append("\n".join(new))
    Path(po_path).write_text("\n\n".join(out), encoding="utf-8")
    for m in missing:
        print("untranslated:", m)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
