"""Tables payments owns: fee orders (缴费订单), their 财政电子票据 and the receipt numbers.

Money is an integer number of 分 (``amount_fen``), never a float or a Decimal column.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    REFUNDED = "refunded", _("已退款")
    CLOSED = "closed", _("已关闭")


class Order(models.Model):
    """The fee of one case (one order per case), opened when the case is accepted (受理)."""

    order_no = models.CharField(_("订单号"), max_length=24, unique=True)
    case_no = models.CharField(_("办件编号"), max_length=24, unique=True)
    item_code = models.CharField(_("事项实施编码"), max_length=24)
    item_name = models.CharField(_("收费项目"), max_length=200)
    department_code = models.CharField(_("执收单位"), max_length=32)
    payer_kind = models.CharField(_("缴款人类型"), max_length=16)  # person | enterprise
    payer_id = models.CharField(_("缴款人证件号码"), max_length=18, db_index=True)
    payer_name = models.CharField(_("缴款人"), max_length=128)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    basis = models.TextField(_("收费依据"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    backend = models.CharField(_("支付渠道"), max_length=32, blank=True)
    trade_no = models.CharField(_("支付流水号"), max_length=64, blank=True)
    refund_no = models.CharField(_("退款流水号"), max_length=64, blank=True)
    reason = models.TextField(_("退款或关闭原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("退款或关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("缴费订单")
        verbose_name_plural = _("缴费订单")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="payments_order_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.order_no


class ExtraPayment(models.Model):
    """A payment the gateway reported for an order that already had one (多付: the payer paid
    twice, in two tabs or two channels): never kept — refunded through the backend once, and
    recorded here so the gateway's repeated notification refunds nothing more."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="extra_payments")
    backend = models.CharField(_("支付渠道"), max_length=32)
    trade_no = models.CharField(_("支付流水号"), max_length=64, unique=True)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    refund_no = models.CharField(_("退款流水号"), max_length=64)
    received_at = models.DateTimeField(_("到账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重复缴费退款")
        verbose_name_plural = _("重复缴费退款")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.trade_no


class Receipt(models.Model):
    """财政电子票据 (非税收入统一票据) issued when an order is paid. Its numbers follow the
    财政电子票据 编码规则: 票据代码 8 digits (监管机构区划 2 + 分类 2 + 种类 2 + 年度 2), 票据号码
    a 10-digit serial per 票据代码, 校验码 6 characters."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="receipt")
    code = models.CharField(_("票据代码"), max_length=8)
    number = models.CharField(_("票据号码"), max_length=10)
    check_code = models.CharField(_("校验码"), max_length=6)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    amount_words = models.CharField(_("金额（大写）"), max_length=64)
    payer_name = models.CharField(_("交款人"), max_length=128)
    payee_name = models.CharField(_("收款单位"), max_length=128)
    item_name = models.CharField(_("项目名称"), max_length=200)
    issued_at = models.DateTimeField(_("开票时间"))

    class Meta:
        verbose_name = _("财政电子票据")
        verbose_name_plural = _("财政电子票据")
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="payments_receipt_code_number")
        ]

    def __str__(self) -> str:
        return f"{self.code}-{self.number}"


class ReceiptSequence(models.Model):
    """The last 票据号码 given under a 票据代码 (locked while a receipt is numbered)."""

    code = models.CharField(max_length=8, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.code}: {self.last}"
