"""Every interface string has an English translation."""

import gettext
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


def test_english_catalogue_is_complete():
    text = PO.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n") if "msgid" in e]
    untranslated, stale = [], []
    with PO.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in entries[1:]:
        msgid = "".join(re.findall(r'"(.*)"', e.split("msgstr")[0])).replace('\\"', '"')
        msgstr = "".join(re.findall(r'"(.*)"', e.split("msgstr", 1)[1])).replace('\\"', '"')
        if "#, fuzzy" in e or not msgstr:
            untranslated.append(msgid)
        elif compiled.gettext(msgid) != msgstr:
            stale.append(msgid)
    assert untranslated == []
    assert stale == [], "django.mo is stale: run `shuzheng compilemessages`"
