"""Data catalog (政务数据目录), sharing (共享申请/授权), consent (数字空间授权), the call log, the
demo base registries and data-quality issues (数据纠错).

Other modules' rows are referred to by their codes (department codes, client ids, ID numbers),
never by foreign keys: the exchange reads identity only through its facade.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    REGION = "region", _("行政区划（分村统计）")


class ShareLevel(models.TextChoices):
    """共享属性 (编制指南 2017)."""

    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NONE = "none", _("不予共享")


class OpenLevel(models.TextChoices):
    """开放属性."""

    OPEN = "open", _("无条件开放")
    CONDITIONAL = "conditional", _("有条件开放")
    CLOSED = "closed", _("不予开放")


class Frequency(models.TextChoices):
    """更新周期."""

    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    ON_DEMAND = "on_demand", _("按需")


class Classification(models.TextChoices):
    """数据分级 (GB/T 43697-2024): 一般 / 重要 / 核心."""

    GENERAL = "general", _("一般数据")
    IMPORTANT = "important", _("重要数据")
    CORE = "core", _("核心数据")


class Masking(models.TextChoices):
    """脱敏规则 (GB/T 37964 techniques: 抑制, 泛化)."""

    NONE = "none", _("不脱敏")
    NAME = "name", _("姓名：保留姓")
    ID_NUMBER = "id_number", _("证件号码：保留前6后4位")
    PHONE = "phone", _("手机号码：保留前3后4位")
    ADDRESS = "address", _("地址：保留到县区")
    DATE = "date", _("日期：保留年份")
    AMOUNT = "amount", _("金额：泛化为区间")
    PARTIAL = "partial", _("部分遮蔽：保留首尾2位")
    HIDDEN = "hidden", _("完全遮蔽")


class ConsentScope(models.TextChoices):
    """Who needs the data subject's consent (授权) to read a resource."""

    NONE = "none", _("仅政务共享，不向外部机构提供")
    OUTSIDE = "outside", _("外部机构凭本人授权使用")
    ALL = "all", _("所有使用方均需本人授权")


class Resource(models.Model):
    """政务信息资源: one entry of the catalog (core metadata of the 2017 编制指南)."""

    code = models.CharField(_("信息资源代码"), max_length=40, unique=True)
    name = models.CharField(_("信息资源名称"), max_length=100)
    summary = models.TextField(_("信息资源摘要"), blank=True)
    source_department = models.CharField(_("信息资源提供方"), max_length=32, db_index=True)
    subject_kind = models.CharField(_("数据主体"), max_length=16, choices=SubjectKind.choices)
    share_level = models.CharField(_("共享类型"), max_length=16, choices=ShareLevel.choices)
    share_condition = models.TextField(_("共享条件"), blank=True)
    open_level = models.CharField(
        _("开放属性"), max_length=16, choices=OpenLevel.choices, default=OpenLevel.CLOSED
    )
    update_frequency = models.CharField(_("更新周期"), max_length=16, choices=Frequency.choices)
    last_updated_at = models.DateTimeField(_("最近更新时间"))
    owner_officer = models.CharField(_("数据管理员"), max_length=150, blank=True)
    consent_scope = models.CharField(
        _("本人授权要求"), max_length=16, choices=ConsentScope.choices, default=ConsentScope.NONE
    )
    provider = models.CharField(_("数据提供程序"), max_length=200, default="registry")
    published_on = models.DateField(_("发布日期"))
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("政务信息资源")
        verbose_name_plural = _("政务信息资源")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ResourceField(models.Model):
    """信息项: one field of a resource, with its grade, personal flag and masking rule."""

    class DataType(models.TextChoices):
        STRING = "string", _("字符型")
        DATE = "date", _("日期型")
        INTEGER = "integer", _("整数型")
        DECIMAL = "decimal", _("数值型")
        BOOLEAN = "boolean", _("布尔型")
        LIST = "list", _("列表")

    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.CASCADE, related_name="fields"
    )
    name = models.CharField(_("数据项标识"), max_length=64)
    title = models.CharField(_("信息项名称"), max_length=64)
    data_type = models.CharField(_("数据类型"), max_length=16, choices=DataType.choices)
    classification = models.CharField(_("数据分级"), max_length=16, choices=Classification.choices)
    personal = models.BooleanField(_("个人信息"), default=False)
    masking = models.CharField(
        _("脱敏规则"), max_length=16, choices=Masking.choices, default=Masking.NONE
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    item = models.ForeignKey(
        "DataItem", verbose_name=_("数据项"), on_delete=models.PROTECT, related_name="fields"
    )

    class Meta:
        ordering = ["resource", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="uniq_exchange_field")
        ]
        verbose_name = _("信息项")
        verbose_name_plural = _("信息项")

    def __str__(self) -> str:
        return f"{self.title}（{self.name}）"


class DataItem(models.Model):
    """一数一源: a data item and the one resource that is its authoritative source.

    ``key`` is unique, so a second resource can never claim the same item; resources that hold
    a copy list the field too and are cross-checked against the source (多源校核).
    """

    key = models.CharField(_("数据项标识"), max_length=64, unique=True)
    title = models.CharField(_("数据项名称"), max_length=64)
    source_resource = models.ForeignKey(
        Resource, verbose_name=_("权威来源"), on_delete=models.PROTECT, related_name="items"
    )
    claimed_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("数据项（一数一源）")
        verbose_name_plural = _("数据项（一数一源）")

    def __str__(self) -> str:
        return self.key


class Consumer(models.Model):
    """A system connected to the exchange (数据使用方登记): its kind and its rate limit."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政务系统")
        OUTSIDE = "outside", _("外部机构")

    client_id = models.CharField(_("客户端标识"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    department_code = models.CharField(_("所属部门"), max_length=32, blank=True)
    rate_per_minute = models.PositiveIntegerField(_("每分钟调用上限"), default=600)
    is_active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["client_id"]
        verbose_name = _("数据使用方")
        verbose_name_plural = _("数据使用方")

    def __str__(self) -> str:
        return self.name


class ShareRequest(models.Model):
    """共享申请: a department asks the source department for fields of a resource."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        DENIED = "denied", _("已驳回")

    class Purpose(models.TextChoices):
        """应用场景, which also decides how fields are masked."""

        SERVICE = "service", _("政务服务")
        SUPERVISION = "supervision", _("监管执法")
        PUBLIC = "public", _("公共服务")
        STATISTICS = "statistics", _("统计分析")

    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.PROTECT, related_name="requests"
    )
    consumer_department = models.CharField(_("申请部门"), max_length=32, db_index=True)
    consumer_client = models.CharField(_("使用系统"), max_length=64, blank=True)
    fields = models.JSONField(_("申请信息项"), default=list)
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    scenario = models.CharField(_("应用场景说明"), max_length=200)
    legal_basis = models.CharField(_("法律依据"), max_length=500)
    days = models.PositiveIntegerField(_("使用期限（天）"))
    requested_by = models.CharField(_("申请人"), max_length=150)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    instant = models.BooleanField(_("秒享"), default=False)
    submitted_at = models.DateTimeField(_("申请时间"))
    submitted_on = models.DateField(_("申请日期"))
    due_date = models.DateField(_("审核期限"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    decided_by = models.CharField(_("审核人"), max_length=150, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "due_date"])]
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")

    def __str__(self) -> str:
        return f"共享申请 #{self.pk}"


class ShareGrant(models.Model):
    """共享授权: the scoped credential an approved request gives the consuming system."""

    code = models.CharField(_("授权凭证编号"), max_length=32, unique=True)
    request = models.OneToOneField(
        ShareRequest, verbose_name=_("共享申请"), on_delete=models.PROTECT, related_name="grant"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.PROTECT, related_name="grants"
    )
    consumer_department = models.CharField(_("使用部门"), max_length=32)
    consumer_client = models.CharField(_("使用系统"), max_length=64, blank=True)
    fields = models.JSONField(_("授权信息项"), default=list)
    purpose = models.CharField(_("用途"), max_length=16, choices=ShareRequest.Purpose.choices)
    scenario = models.CharField(_("应用场景说明"), max_length=200)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.CharField(_("撤销人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resource", "consumer_department"])]
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")

    def __str__(self) -> str:
        return self.code


class Consent(models.Model):
    """数字空间授权: a person (or an enterprise through its agent) lets a named requester read
    chosen fields of a resource for a purpose and a period; revocable at any time."""

    subject_kind = models.CharField(_("数据主体类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.CharField(_("数据主体标识"), max_length=18)
    granted_by = models.CharField(_("授权人"), max_length=150)
    requester = models.CharField(_("被授权方"), max_length=64)
    requester_name = models.CharField(_("被授权方名称"), max_length=128)
    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.PROTECT, related_name="consents"
    )
    fields = models.JSONField(_("授权信息项"), default=list)
    purpose = models.CharField(_("用途"), max_length=200)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_kind", "subject_id"]),
            models.Index(fields=["requester", "resource", "subject_id"]),
        ]
        verbose_name = _("本人授权")
        verbose_name_plural = _("本人授权")

    def __str__(self) -> str:
        return f"授权 #{self.pk}"


class RegistryRecord(models.Model):
    """One subject's record in a base registry held by the exchange (demo registries)."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.CASCADE, related_name="records"
    )
    subject_kind = models.CharField(_("数据主体类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.CharField(_("数据主体标识"), max_length=18)
    data = models.JSONField(_("数据"), default=dict)
    updated_at = models.DateTimeField(_("更新时间"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "subject_id"], name="uniq_exchange_record")
        ]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]
        verbose_name = _("基础库记录")
        verbose_name_plural = _("基础库记录")

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.subject_id}"


class DataCall(models.Model):
    """One use of one subject's data through the data API (or a refused attempt).

    The audit chain holds the tamper-evident copy; this table answers "who used my data"
    and feeds the dashboard.
    """

    class Outcome(models.TextChoices):
        OK = "ok", _("已提供")
        REFUSED = "refused", _("已拒绝")

    at = models.DateTimeField(_("时间"), db_index=True)
    consumer = models.CharField(_("调用方"), max_length=150, db_index=True)
    consumer_name = models.CharField(_("调用方名称"), max_length=128, blank=True)
    consumer_department = models.CharField(_("调用方部门"), max_length=32, blank=True)
    resource_code = models.CharField(_("信息资源代码"), max_length=40, blank=True)
    subject_kind = models.CharField(_("数据主体类型"), max_length=16, blank=True)
    subject_id = models.CharField(_("数据主体标识"), max_length=18, blank=True)
    fields = models.JSONField(_("信息项"), default=list)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    basis = models.CharField(_("依据"), max_length=64, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(_("拒绝原因"), max_length=300, blank=True)
    status = models.PositiveSmallIntegerField(_("HTTP 状态"), default=200)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id", "at"])]
        verbose_name = _("数据调用记录")
        verbose_name_plural = _("数据调用记录")

    def __str__(self) -> str:
        return f"call #{self.pk}"


class RateWindow(models.Model):
    """Calls of one client in one minute (fixed-window rate limit shared by all processes)."""

    client_id = models.CharField(max_length=64)
    minute = models.BigIntegerField()  # minutes since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "minute"], name="uniq_exchange_rate")
        ]
        verbose_name = _("调用频次")
        verbose_name_plural = _("调用频次")

    def __str__(self) -> str:
        return f"{self.client_id}@{self.minute}"


class QualityIssue(models.Model):
    """数据纠错: a user reports a wrong value; the source department corrects it in time."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        CORRECTED = "corrected", _("已更正")
        REJECTED = "rejected", _("经核实无误")

    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.PROTECT, related_name="issues"
    )
    field_name = models.CharField(_("信息项"), max_length=64)
    subject_kind = models.CharField(_("数据主体类型"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.CharField(_("数据主体标识"), max_length=18)
    department = models.CharField(_("责任部门"), max_length=32, db_index=True)
    reported_by = models.CharField(_("反馈人"), max_length=150)
    current_value = models.JSONField(_("原值"), null=True, blank=True)
    proposed_value = models.CharField(_("建议值"), max_length=500)
    reason = models.CharField(_("理由"), max_length=500)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default="open")
    created_at = models.DateTimeField(_("反馈时间"))
    due_date = models.DateField(_("处理期限"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.CharField(_("处理人"), max_length=150, blank=True)
    resolution_note = models.TextField(_("处理说明"), blank=True)
    # the statistical period of a per-region figure (分村统计), "" for a subject's own data
    period = models.CharField(_("统计期"), max_length=16, blank=True)

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("数据纠错")
        verbose_name_plural = _("数据纠错")

    def __str__(self) -> str:
        return f"纠错 #{self.pk}"


class RegionFigure(models.Model):
    """A source department's figures for one region (a 村/社区, 12-digit 统计用区划代码) and one
    period, as its system publishes them: the per-village aggregates of a registry (人口,
    低保/特困, 残疾人, 高龄, 法人) that 填表报数 prefills from (``services.regional``)."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("信息资源"), on_delete=models.CASCADE, related_name="figures"
    )
    region = models.CharField(_("区划代码"), max_length=12)
    period = models.CharField(_("统计期"), max_length=16)  # 2026-11, 2026Q4, 2026
    data = models.JSONField(_("数据"), default=dict)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "region", "period"], name="uniq_exchange_region_figure"
            )
        ]
        indexes = [models.Index(fields=["region", "period"])]
        verbose_name = _("分区划统计数据")
        verbose_name_plural = _("分区划统计数据")

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.region}:{self.period}"
