from django.contrib import admin
from django.urls import include, path, re_path

from shuzheng.api.router import api
from shuzheng.appointments.views import guide_panel as appointment_panel
from shuzheng.cases.views import register_apply_panel, register_case_panel
from shuzheng.catalog.views import register_guide_panel
from shuzheng.console import observability
from shuzheng.core.views import api_not_found, healthz
from shuzheng.licenses.views import register_wallet_panel
from shuzheng.payments import views as payments_views
from shuzheng.proactive.views import benefit_panel
from shuzheng.ratings.views import case_panel as rating_panel

# The citizen case page (cases, L3) shows the 好差评 form of ratings (above it): wired here.
register_case_panel(rating_panel)
# An item's guide (catalog) and apply (cases) pages say when 免申即享 (above both) already
# grants its benefit: one person, one benefit.
register_guide_panel(benefit_panel)
# An item that needs a visit offers 预约办理 (appointments, above the catalog) on its guide.
register_guide_panel(appointment_panel)
register_apply_panel(benefit_panel)
# Fees (payments, above cases, catalog and licenses): the case page's 缴费, the guide's 收费 and
# the wallet's 电子票据.
register_case_panel(payments_views.case_panel)
register_guide_panel(payments_views.guide_panel)
register_wallet_panel(payments_views.wallet_panel)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", observability.livez, name="livez"),  # docs/deploy/observability.md
    path("readyz", observability.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("admin/", admin.site.urls),
    path("open311/v2/", include("shuzheng.hotline.urls_open311")),
    path("hotline/dashboard/", include("shuzheng.hotline.urls_dashboard")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sms/", include("shuzheng.notify.urls")),  # SMS delivery reports (issue 22)
    path("accounts/", include("shuzheng.identity.urls")),
    path("workbench/", include("shuzheng.workbench.urls")),
    path("services/", include("shuzheng.catalog.urls")),
    path("licenses/", include("shuzheng.licenses.urls")),
    path("payments/", include("shuzheng.payments.urls")),
    path("cases/", include("shuzheng.ratings.urls")),
    path("cases/", include("shuzheng.cases.urls")),
    path("rules/", include("shuzheng.rules.urls")),
    path("appointments/", include("shuzheng.appointments.urls")),
    path("knowledge/", include("shuzheng.knowledge.urls")),
    path("hotline/", include("shuzheng.hotline.urls")),
    path("city/", include("shuzheng.governance.urls")),
    path("policies/", include("shuzheng.proactive.urls")),
    path("reports/", include("shuzheng.reporting.urls")),
    path("supervision/", include("shuzheng.supervision.urls")),
    path("documents/", include("shuzheng.documents.urls")),
    path("dataspace/", include("shuzheng.exchange.urls")),
    path("data/", include("shuzheng.exchange.urls_officer")),
    path("", include("shuzheng.portal.urls")),
]
