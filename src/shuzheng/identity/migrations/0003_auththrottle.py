from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0002_department_updated_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthThrottle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=16, verbose_name="类别")),
                ("key", models.CharField(max_length=150, verbose_name="对象")),
                ("count", models.PositiveIntegerField(default=0, verbose_name="窗口内次数")),
                ("window_start", models.DateTimeField(verbose_name="窗口开始")),
                ("last_at", models.DateTimeField(verbose_name="最近一次")),
                (
                    "locked_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="限制至"),
                ),
            ],
            options={
                "verbose_name": "登录限流",
                "verbose_name_plural": "登录限流",
                "indexes": [models.Index(fields=["last_at"], name="identity_throttle_last_at")],
                "constraints": [
                    models.UniqueConstraint(fields=("scope", "key"), name="uniq_identity_throttle")
                ],
            },
        ),
    ]
