"""Identity: regions, departments, persons, enterprises, agents, staff, API clients and tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """行政区划 (GB/T 2260 for province/city/county; 统计用区划代码 for towns)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县/区")
        TOWN = "town", _("乡镇/街道")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Department(models.Model):
    """A government body (部门). ``level`` uses GB/T 39046 A.2 行使层级代码."""

    class Level(models.IntegerChoices):
        NATIONAL = 1, _("国家级")
        PROVINCE = 2, _("省级")
        CITY = 3, _("市级")
        COUNTY = 4, _("县级")
        TOWN = 5, _("镇(乡、街道)级")
        VILLAGE = 6, _("村(社区)级")

    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # the stamp of the per-process department cache (selectors.departments)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login account. Real-name data lives on ``Person``; staff roles on ``StaffRole``."""

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        STAFF = "staff", _("工作人员")

    kind = models.CharField(_("账号类型"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号码"), max_length=16, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.username


class Person(models.Model):
    """自然人 (real-name). A registry person may have no account."""

    class RealNameLevel(models.IntegerChoices):
        L1 = 1, _("一级：身份号码核验")
        L2 = 2, _("二级：手机号实名核验")
        L3 = 3, _("三级：人脸或窗口核验")

    user = models.OneToOneField(
        User,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    phone = models.CharField(_("手机号码"), max_length=16, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"))
    real_name_level = models.PositiveSmallIntegerField(
        _("实名等级"), choices=RealNameLevel.choices, default=RealNameLevel.L1
    )
    hukou_region = models.ForeignKey(
        Region,
        verbose_name=_("户籍地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """法人 (enterprise or organisation)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    region = models.ForeignKey(Region, verbose_name=_("注册地"), on_delete=models.PROTECT)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    industry_code = models.CharField(_("行业代码(GB/T 4754)"), max_length=8, blank=True)
    industry = models.CharField(_("行业"), max_length=64, blank=True)
    registered_capital = models.DecimalField(
        _("注册资本(万元)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def __str__(self) -> str:
        return self.name


class EnterpriseAgent(models.Model):
    """经办人: a person authorised by an enterprise, with a scope and an expiry."""

    class Scope(models.TextChoices):
        ALL = "all", _("全部事项")
        LISTED = "listed", _("指定事项")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("法人"), on_delete=models.CASCADE, related_name="agents"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("经办人"), on_delete=models.CASCADE, related_name="agencies"
    )
    scope = models.CharField(_("授权范围"), max_length=16, choices=Scope.choices, default=Scope.ALL)
    item_codes = models.JSONField(_("授权事项编码"), default=list, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业经办人授权")
        verbose_name_plural = _("企业经办人授权")

    def __str__(self) -> str:
        return f"{self.person} @ {self.enterprise}"


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口受理人员")
    REVIEWER = "reviewer", _("审批人员")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    DATA_OFFICER = "data_officer", _("数据管理员")
    HOTLINE_OPERATOR = "hotline_operator", _("热线话务员")
    HOTLINE_SUPERVISOR = "hotline_supervisor", _("热线班长（督办）")
    HOTLINE_HANDLER = "hotline_handler", _("热线工单处置人员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


class StaffRole(models.Model):
    """A staff member's role in a department."""

    user = models.ForeignKey(
        User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="staff_roles"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="staff_roles"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="uniq_staff_role")
        ]
        verbose_name = _("工作人员角色")
        verbose_name_plural = _("工作人员角色")

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.department}"


class ApiClient(models.Model):
    """A system that calls the API with client credentials (another government system or an
    outside organisation such as a bank)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政务系统")
        OUTSIDE = "outside", _("外部机构")

    client_id = models.CharField(_("客户端标识"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation_uscc = models.CharField(_("机构统一社会信用代码"), max_length=18, blank=True)
    secret_hash = models.CharField(_("密钥摘要"), max_length=256)
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")

    def __str__(self) -> str:
        return self.client_id


class ApiToken(models.Model):
    """A bearer token for a user or a client. Only the SHA-256 of the token is stored."""

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE)
    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")

    def __str__(self) -> str:
        return f"token #{self.pk}"


class OtpChallenge(models.Model):
    """A one-time code sent by SMS: to a user's phone (login, 忘记密码), or to a phone with no
    account behind it (``phone``, e.g. an anonymous 12345 诉求). Only a hash of the code is
    stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="otp_challenges", null=True, blank=True
    )
    phone = models.CharField(max_length=20, blank=True, db_index=True)  # when no user
    # what the code is for: login (the second factor) or reset (忘记密码); one never stands in
    # for the other
    purpose = models.CharField(max_length=8, default="login")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")

    def __str__(self) -> str:
        return f"otp #{self.pk}"


class AuthThrottle(models.Model):
    """A counter of login attempts, client-credential attempts, registrations or SMS sent, for
    one key (a client IP, a login name, a client id, an account), kept in the database so that
    every web worker process counts the same attempts (``identity/throttle.py``)."""

    scope = models.CharField(_("类别"), max_length=16)
    key = models.CharField(_("对象"), max_length=150)
    count = models.PositiveIntegerField(_("窗口内次数"), default=0)
    window_start = models.DateTimeField(_("窗口开始"))
    last_at = models.DateTimeField(_("最近一次"))
    locked_until = models.DateTimeField(_("限制至"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="uniq_identity_throttle")
        ]
        indexes = [models.Index(fields=["last_at"], name="identity_throttle_last_at")]
        verbose_name = _("登录限流")
        verbose_name_plural = _("登录限流")

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Mandate(models.Model):
    """授权委托 (帮办代办): a person (the 委托人, ``principal``) lets another person (the 代办人,
    ``agent``) apply for them, for all items or the listed ones, from one date to another.

    The basis is recorded: a relative (亲属) declares the relation and the principal confirms —
    by the SMS code texted to the principal's registered phone, or in the principal's own
    session; a 帮办员 holds a signed paper mandate that a window clerk saw and recorded. Only an
    active mandate within its dates lets the agent apply; the principal may revoke it at any
    time. Every change is audited (``services/mandates.py``)."""

    class Basis(models.TextChoices):
        RELATIVE = "relative", _("亲属代办")
        HELPER = "helper", _("帮办员（书面委托）")

    class Relation(models.TextChoices):
        CHILD = "child", _("子女")
        SPOUSE = "spouse", _("配偶")
        PARENT = "parent", _("父母")
        SIBLING = "sibling", _("兄弟姐妹")
        GRANDCHILD = "grandchild", _("孙子女、外孙子女")
        OTHER = "other", _("其他近亲属")

    class Scope(models.TextChoices):
        ALL = "all", _("全部事项")
        LISTED = "listed", _("指定事项")

    class Status(models.TextChoices):
        PENDING = "pending", _("待委托人确认")
        ACTIVE = "active", _("有效")
        DECLINED = "declined", _("委托人未同意")
        REVOKED = "revoked", _("已撤销")

    principal = models.ForeignKey(
        Person, verbose_name=_("委托人"), on_delete=models.CASCADE, related_name="mandates_given"
    )
    agent = models.ForeignKey(
        Person, verbose_name=_("代办人"), on_delete=models.CASCADE, related_name="mandates_held"
    )
    basis = models.CharField(_("委托依据"), max_length=16, choices=Basis.choices)
    relation = models.CharField(
        _("与委托人关系"), max_length=16, choices=Relation.choices, blank=True
    )
    scope = models.CharField(_("授权范围"), max_length=16, choices=Scope.choices, default="all")
    item_codes = models.JSONField(_("授权事项编码"), default=list, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    # how the principal's consent was given: sms (code texted to the principal), session (the
    # principal confirmed while signed in), paper (a signed mandate seen at the window)
    confirmed_via = models.CharField(_("确认方式"), max_length=16, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    paper_ref = models.CharField(_("书面委托书编号"), max_length=64, blank=True)
    created_by = models.CharField(_("登记账号"), max_length=128)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.CharField(_("撤销账号"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["agent", "status"], name="identity_mandate_agent"),
            models.Index(fields=["principal", "status"], name="identity_mandate_principal"),
        ]
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")

    def __str__(self) -> str:
        return f"{self.agent} → {self.principal}"
