from django.urls import path

from shuzheng.identity import views, views_mandates, views_recovery

app_name = "identity"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_otp_view, name="login_otp"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("outbox/", views.outbox_view, name="outbox"),
    # 忘记密码 and 重发验证码 (issue 17)
    path("login/code/resend/", views_recovery.login_resend, name="login_resend"),
    path("password/reset/", views_recovery.password_reset, name="password_reset"),
    path("password/reset/code/", views_recovery.password_reset_code, name="password_reset_code"),
    path(
        "password/reset/resend/", views_recovery.password_reset_resend, name="password_reset_resend"
    ),
    # 帮办代办: 我的授权 (issue 17)
    path("mandates/", views_mandates.mandate_list, name="mandates"),
    path("mandates/new/", views_mandates.mandate_new, name="mandate_new"),
    path("mandates/paper/", views_mandates.mandate_paper, name="mandate_paper"),
    path("mandates/<int:pk>/confirm/", views_mandates.mandate_confirm, name="mandate_confirm"),
    path("mandates/<int:pk>/answer/", views_mandates.mandate_answer, name="mandate_answer"),
    path("mandates/<int:pk>/revoke/", views_mandates.mandate_revoke, name="mandate_revoke"),
]
