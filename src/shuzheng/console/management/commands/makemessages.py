"""``shuzheng makemessages``: Django's, also extracting ``_t``.

Services and APIs import ``gettext as _t`` (``_`` is often a loop variable there); without this
keyword their error messages, progress texts and SMS words would drop out of the catalogue each
time it is regenerated, and English readers would see Chinese again.
"""

from __future__ import annotations

from django.core.management.commands.makemessages import Command as DjangoMakeMessages


class Command(DjangoMakeMessages):
    xgettext_options = [*DjangoMakeMessages.xgettext_options, "--keyword=_t"]
