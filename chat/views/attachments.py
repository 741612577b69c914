"""Uploading attachments (console and widget, multipart over HTTP) and downloading them.

The upload views are csrf_exempt on the outside only so that the size guard is installed
before anything parses the body; the console's inner view checks CSRF itself. The widget's
credential is the visitor token (header X-Visitor-Token, or a "token" form field).
"""

from django.http import FileResponse, Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from chat.console import selectors
from chat.errors import AccessDenied, ChatError
from chat.messaging import attachments, payloads, posting, uploads
from chat.views.decorators import operator_required
from chat.visitors import blocking
from chat.visitors.client_ip import ip_from_request

# Sandboxed, and nothing loads from a download even if a browser renders it.
DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
STATUS = {"forbidden": 403, "not_found": 404}


def refusal(error: ChatError) -> JsonResponse:
    status = getattr(error, "status", None) or STATUS.get(error.code, 400)
    return JsonResponse({"code": error.code, "detail": error.detail, **error.fields}, status=status)


def acknowledged(message) -> JsonResponse:
    return JsonResponse({"ack": payloads.ack_data(message)})


def _post(request, guard, post_message, **who):
    """Read and check the file, then store it with its message through the service."""
    upload = uploads.prepare(uploads.uploaded_file(request, guard))
    with attachments.discarded_on_failure(upload):
        message, _created = post_message(
            **who,
            client_id=request.POST.get("client_id"),
            text=request.POST.get("text", ""),
            attachment=upload,
        )
    return acknowledged(message)


# --- console ------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def console_upload(request, pk):
    try:
        guard = uploads.guard_upload(request)
    except ChatError as error:
        return refusal(error)
    return _console_upload(request, pk, guard)


@operator_required
@csrf_protect
def _console_upload(request, pk, guard):
    try:
        return _post(
            request,
            guard,
            posting.post_operator_message,
            operator=request.operator,
            dialog_id=pk,
        )
    except ChatError as error:
        return refusal(error)


@require_GET
@operator_required
def console_download(request, pk, thumbnail=False):
    attachment = selectors.attachment_for_operator(request.operator, pk)
    return serve(attachment, thumbnail=thumbnail)


# --- widget -------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def widget_upload(request, widget_key):
    try:
        guard = uploads.guard_upload(request)
        token = request.headers.get("X-Visitor-Token") or request.POST.get("token")
        visitor = selectors.visitor_by_token(widget_key, token)
        if visitor is None:
            raise AccessDenied("Unknown visitor token: connect to the chat first.")
        ip = ip_from_request(request)
        if blocking.is_blocked(visitor.site.account_id, ip):
            raise AccessDenied(_("The chat is not available."))  # as neutral as the widget
        return _post(
            request,
            guard,
            posting.post_visitor_message,
            visitor_id=visitor.id,
            visit_id=visitor.latest_visit_id,
            ip=ip,
        )
    except ChatError as error:
        return refusal(error)


@require_GET
def visitor_download(request, token, thumbnail=False):
    ids = attachments.read_visitor_token(token)
    attachment = ids and selectors.attachment_in_dialog(*ids)
    if not attachment:
        raise Http404("No such file, or the link has expired.")
    return serve(attachment, thumbnail=thumbnail)


# --- serving ------------------------------------------------------------------------------


def serve(attachment, *, thumbnail: bool) -> FileResponse:
    """The file through the storage API: images inline, everything else as a download.

    The same on local disk and in an S3 bucket (config/settings_storage.py): the bytes are
    streamed from the storage after the caller's check, rather than redirecting to a
    presigned bucket URL, so every download keeps these headers (sandbox CSP, nosniff, the
    visitor's file name), the bucket stays private and no URL outlives the check."""
    stored = attachment.thumbnail if thumbnail else attachment.file
    if not stored:
        raise Http404("No such file.")
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    if thumbnail:
        content_type = "image/png" if handle.read(8).startswith(b"\x89PNG") else "image/jpeg"
        handle.seek(0)
    else:
        content_type = attachment.content_type
    inline = attachment.is_image and content_type in uploads.INLINE_TYPES
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, max-age=3600"
    return response
