"""``shuzheng create_admin``: the first platform administrator of a real (non-demo) platform.

Asks for the password twice (or reads it from the environment variable named by
``--password-env``, for automation) and refuses one the password rules reject. The login texts a
code to ``--phone``, so the number must be a real mobile. With ``--department`` the account also
gets the 平台管理员 role in that department (load the departments first, ``shuzheng load_org``).
Running it again for an existing administrator sets the new password (and phone); audited.
"""

from __future__ import annotations

import getpass
import os
import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.identity.models import Department, Role, StaffRole, User

_MOBILE = re.compile(r"1[3-9]\d{9}")


class Command(BaseCommand):
    help = "创建（或重设）平台管理员账号：交互输入两次密码，或用 --password-env 从环境变量读取。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="用户名（默认 admin）")
        parser.add_argument("--name", default="平台管理员", help="姓名")
        parser.add_argument("--phone", required=True, help="手机号码：登录验证码发到这里")
        parser.add_argument(
            "--department", default="", help="部门编码：在该部门授予平台管理员角色（可选）"
        )
        parser.add_argument(
            "--password-env",
            default="",
            metavar="VAR",
            help="从这个环境变量读取密码（不交互，供自动化部署使用）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        phone: str = options["phone"].strip()
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_.@+-]{1,149}", username):
            raise CommandError("用户名只能由字母、数字和 _ . @ + - 组成，2至150位。")
        if not _MOBILE.fullmatch(phone):
            raise CommandError("手机号码应为11位手机号码（登录验证码发到这个号码）。")
        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(
                    f"部门「{options['department']}」不存在，请先用 shuzheng load_org 导入部门。"
                )
        existing = User.objects.filter(username=username).first()
        if existing is not None and existing.kind != User.Kind.STAFF:
            raise CommandError(f"「{username}」已是公众账号，不能设为管理员。")
        candidate = existing or User(username=username, kind=User.Kind.STAFF, phone=phone)
        password = self._password(options["password_env"], candidate)
        with transaction.atomic():
            before = None
            if existing is None:
                user = User(username=username, kind=User.Kind.STAFF)
            else:
                user = existing
                before = {"is_superuser": user.is_superuser, "phone": user.phone}
            user.display_name = options["name"]
            user.phone = phone
            user.is_staff = user.is_superuser = user.is_active = True
            user.failed_logins, user.locked_until = 0, None
            user.set_password(password)
            user.save()
            if department is not None:
                StaffRole.objects.get_or_create(
                    user=user, department=department, role=Role.PLATFORM_ADMIN
                )
            audit.record(
                actor="system:create_admin",
                action="identity.admin_created" if existing is None else "identity.admin_reset",
                object_type="identity.user",
                object_id=username,
                before=before,
                after={
                    "is_superuser": True,
                    "phone": phone,
                    "department": department.code if department else "",
                },
            )
        verb = "已创建" if existing is None else "已更新"
        self.stdout.write(f"平台管理员 {username} {verb}。登录后在管理后台（/admin/）维护账号。")

    def _password(self, env_var: str, user: User) -> str:
        if env_var:
            password = os.environ.get(env_var, "")
            if not password:
                raise CommandError(f"环境变量 {env_var} 未设置或为空。")
            self._validate(password, user)
            return password
        for _attempt in range(3):
            password = getpass.getpass("密码：")
            if getpass.getpass("再次输入密码：") != password:
                self.stderr.write("两次输入的密码不一致，请重新输入。")
                continue
            try:
                self._validate(password, user)
            except CommandError as exc:
                self.stderr.write(str(exc))
                continue
            return password
        raise CommandError("三次都没有设好密码，未创建账号。")

    def _validate(self, password: str, user: User) -> None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + " ".join(exc.messages)) from None
