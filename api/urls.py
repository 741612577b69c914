"""/api/: version 1 of the operator API, its OpenAPI schema and the docs page."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import converters, problems
from api.views import actions, lists, messages, reading, visitors

app_name = "api"
register_converter(converters.IdConverter, "id")

v1 = [
    path("me/", reading.MeView.as_view(), name="me"),
    path("status/", actions.StatusView.as_view(), name="status"),
    path("tabs/", reading.TabsView.as_view(), name="tabs"),
    re_path(
        r"^tabs/(?P<tab>mine|others|missed)/dialogs/$",
        reading.TabDialogsView.as_view(),
        name="tab_dialogs",
    ),
    path("dialogs/<id:pk>/", reading.DialogView.as_view(), name="dialog"),
    path("dialogs/<id:pk>/messages/", messages.MessagesView.as_view(), name="messages"),
    path("dialogs/<id:pk>/attachments/", messages.UploadView.as_view(), name="upload"),
    path("dialogs/<id:pk>/notes/", reading.NotesView.as_view(), name="notes"),
    path("dialogs/<id:pk>/visitor/", reading.VisitorCardView.as_view(), name="visitor_card"),
    path("dialogs/<id:pk>/replies/", reading.DialogRepliesView.as_view(), name="dialog_replies"),
    path("dialogs/<id:pk>/connect/", actions.ConnectView.as_view(), name="connect"),
    path("dialogs/<id:pk>/end/", actions.EndView.as_view(), name="end"),
    path("dialogs/<id:pk>/leave/", actions.LeaveView.as_view(), name="leave"),
    path("dialogs/<id:pk>/invite/", actions.InviteView.as_view(), name="invite"),
    path("dialogs/<id:pk>/transfer/", actions.TransferView.as_view(), name="transfer"),
    path("dialogs/<id:pk>/block/", actions.BlockView.as_view(), name="block"),
    path("attachments/<id:pk>/", reading.AttachmentView.as_view(), name="attachment"),
    path(
        "attachments/<id:pk>/thumbnail/",
        reading.ThumbnailView.as_view(),
        name="attachment_thumbnail",
    ),
    path("replies/", reading.RepliesView.as_view(), name="replies"),
    path("visitors/", visitors.VisitorsView.as_view(), name="visitors"),
    path("visitors/<id:pk>/write/", visitors.WriteView.as_view(), name="write_to_visitor"),
    path("history/", lists.HistoryView.as_view(), name="history"),
    path("leads/", lists.LeadsView.as_view(), name="leads"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ is a problem-details 404, not the console's HTML page.
    re_path(r"", problems.unknown_url),
]
