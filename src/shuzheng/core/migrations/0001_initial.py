from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                ("kind", models.CharField(choices=[("holiday", "法定节假日/休息日"), ("workday", "调休上班日")], max_length=16, verbose_name="类型")),
                ("name", models.CharField(blank=True, max_length=64, verbose_name="名称")),
                ("source", models.CharField(default="admin", max_length=64, verbose_name="来源")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={"verbose_name": "节假日/调休", "verbose_name_plural": "节假日/调休", "ordering": ["date"]},
        ),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="年份")),
                ("source", models.CharField(max_length=128, verbose_name="来源")),
                ("notice", models.CharField(blank=True, max_length=200, verbose_name="国务院办公厅通知")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={"verbose_name": "日历年度", "verbose_name_plural": "日历年度", "ordering": ["year"]},
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel", models.CharField(default="sms", max_length=16, verbose_name="渠道")),
                ("recipient", models.CharField(max_length=128, verbose_name="接收方")),
                ("body", models.TextField(verbose_name="内容")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="发送时间")),
            ],
            options={"verbose_name": "演示发件箱", "verbose_name_plural": "演示发件箱", "ordering": ["-id"]},
        ),
    ]
