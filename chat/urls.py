from django.urls import path, re_path

from chat.views import attachments as attachment_views
from chat.views import blocking as blocking_views
from chat.views import console as views
from chat.views import pwa as pwa_views
from chat.views.history import history_list

app_name = "console"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("others/", views.others, name="others"),
    path("missed/", views.missed, name="missed"),
    re_path(r"^(?P<tab>mine|others|missed)/rows/$", views.tab_rows, name="tab_rows"),
    path("dialogs/<int:pk>/", views.dialog, name="dialog"),
    path("dialogs/<int:pk>/connect/", views.connect, name="connect"),
    path("dialogs/<int:pk>/end/", views.end, name="end"),
    path("dialogs/<int:pk>/leave/", views.leave, name="leave"),
    path("dialogs/<int:pk>/invite/", views.invite, name="invite"),
    path("status/", views.set_status, name="status"),
    path("language/", views.set_language, name="language"),
    path("time-zone/", views.set_time_zone, name="time_zone"),
    path("dialogs/<int:pk>/block/", blocking_views.block, name="block"),
    path("blocked/", blocking_views.blocked_list, name="blocked"),
    path("blocked/<int:pk>/unblock/", blocking_views.unblock, name="unblock"),
    path("history/", history_list, name="history"),
    # the installable console (chat/console/pwa.py): the worker's scope is /console/
    path("sw.js", pwa_views.service_worker, name="service_worker"),
    path("offline/", pwa_views.offline, name="offline"),
    # attachments
    path(
        "dialogs/<int:pk>/attachments/",
        attachment_views.console_upload,
        name="attachment_upload",
    ),
    path("attachments/<int:pk>/", attachment_views.console_download, name="attachment"),
    path(
        "attachments/<int:pk>/thumbnail/",
        attachment_views.console_download,
        {"thumbnail": True},
        name="attachment_thumbnail",
    ),
]
