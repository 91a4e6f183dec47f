"""Every interface string has an English translation, and the compiled catalogue is current."""

import gettext
import json
import re
from pathlib import Path

PO = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "shuzheng"
    / "locale"
    / "en"
    / "LC_MESSAGES"
    / "django.po"
)


def _sections(entry: str) -> dict[str, str]:
    out: dict[str, str] = {}
    key = ""
    for line in entry.split("\n"):
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr\[\d\]|msgstr) (".*")$', line)
        if m:
            key = m.group(1)
            out[key] = json.loads(m.group(2))
        elif line.startswith('"') and key:
            out[key] += json.loads(line)
    return out


def test_english_catalogue_is_complete():
    entries = [e for e in PO.read_text(encoding="utf-8").split("\n\n") if "msgid" in e][1:]
    with PO.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    untranslated, stale = [], []
    for e in entries:
        s = _sections(e)
        if "msgid" not in s:  # obsolete (#~) entries
            continue
        ctx = s.get("msgctxt")
        if "msgid_plural" in s:
            want = s.get("msgstr[0]", "")
            got = (
                compiled.npgettext(ctx, s["msgid"], s["msgid_plural"], 1)
                if ctx is not None
                else compiled.ngettext(s["msgid"], s["msgid_plural"], 1)
            )
        else:
            want = s.get("msgstr", "")
            got = (
                compiled.pgettext(ctx, s["msgid"])
                if ctx is not None
                else compiled.gettext(s["msgid"])
            )
        if "#, fuzzy" in e or not want:
            untranslated.append(s["msgid"])
        elif got != want:
            stale.append(s["msgid"])
    assert untranslated == []
    assert stale == [], "django.mo is stale: run `shuzheng compilemessages` in src/shuzheng"
