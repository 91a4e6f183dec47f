"""Demo data only where demo data belongs.

The ``seed_*`` commands load the demo data set: made-up people, enterprises, departments and
accounts with a password printed in the README. A production platform must never get them, so
every ``seed_*`` command calls :func:`require_demo_mode` first; it runs only with
``SHUZHENG_DEMO=1`` (``make demo``) or under the tests (``SHUZHENG_TESTING=1``). Real data
comes from ``shuzheng create_admin`` and ``shuzheng load_org`` (docs/deploy/README.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError


def require_demo_mode(command: str) -> None:
    """Raise ``CommandError`` (a Chinese message) unless demo mode or the tests are on."""
    if settings.DEMO or settings.TESTING:
        return
    raise CommandError(
        f"{command} 会写入演示数据（含公开密码的演示账号），只能在演示模式下运行："
        "请设置 SHUZHENG_DEMO=1（make demo 已设置）。"
        "正式部署请用 shuzheng create_admin 创建管理员、shuzheng load_org 导入部门、区划和工作人员"
        "（见 docs/deploy/README.md）。"
    )
