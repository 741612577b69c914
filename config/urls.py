from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from chat.views import attachments as attachment_views
from chat.views import health as health_views
from chat.views import pwa as pwa_views
from chat.views import widget as widget_views
from crm import views as crm_views
from leads import urls as leads_urls
from messengers import urls as messenger_urls
from webhooks import views as webhooks_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:mine", permanent=False)),
    # Browsers ask every site for it, pages with an icon link or not.
    path(
        "favicon.ico", RedirectView.as_view(url=static("chat/icons/icon-192.png"), permanent=True)
    ),
    path("admin/", admin.site.urls),
    path("manifest.webmanifest", pwa_views.manifest, name="manifest"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("twofactor.urls")),  # accounts/two-factor/, console/security/
    path("api/", include("api.urls")),
    path("console/tokens/", include("api.console_urls")),
    path("console/leads/", include("leads.urls")),
    path("console/reports/", include("reports.urls")),
    path("console/crm/", include("crm.urls")),
    path("console/replies/", include("replies.urls")),
    path("console/sites/", include("engage.hours_urls")),
    path("console/tags/", include("tags.urls")),
    path("console/teamwork/", include("teamwork.urls")),
    path("console/push/", include("push.urls")),
    path("console/webhooks/", include("webhooks.urls")),
    path("console/mail/", include("mailchannel.urls")),
    path("console/invitations/", include("engage.urls_rules")),
    path("console/visitors/", include("engage.urls")),
    path(
        "console/messengers/",
        include((messenger_urls.console_patterns, "messengers"), namespace="messengers_console"),
    ),
    path("messengers/", include("messengers.urls")),
    path("demo/", include((messenger_urls.demo_patterns, "messengers_demo"))),
    path("crm/demo-receiver/", crm_views.demo_receive, name="crm_demo_receive"),
    path(
        "webhooks/demo-receiver/<int:pk>/",
        webhooks_views.demo_receive,
        name="webhooks_demo_receive",
    ),
    path("console/", include("chat.urls")),
    path("widget/<str:widget_key>/", widget_views.widget_frame, name="widget"),
    path("demo/", widget_views.demo, name="demo"),
    path("healthz", health_views.healthz, name="healthz"),
    path(
        "widget/<str:widget_key>/attachments/",
        attachment_views.widget_upload,
        name="widget_attachments",
    ),
    path("widget/<str:widget_key>/", include(leads_urls.widget_patterns)),
    path("attachments/<str:token>/", attachment_views.visitor_download, name="attachment"),
    path(
        "attachments/<str:token>/thumbnail/",
        attachment_views.visitor_download,
        {"thumbnail": True},
        name="attachment_thumbnail",
    ),
]

# Console pages show their errors inside the console; the rest keeps Django's (chat/views/errors.py)
handler403 = "chat.views.errors.forbidden"
handler404 = "chat.views.errors.not_found"
handler500 = "chat.views.errors.server_error"
