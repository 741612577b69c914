"""Visitor frames of higher apps, without chat importing them.

An app registers a frame type in its AppConfig.ready():

    extensions.register_visitor_frame("rate", service)

VisitorConsumer hands a frame of a type it does not know itself to the registered service,
on a database thread (chat/realtime/db_threads.py), in the socket's language:

    service(frame, *, visitor_id: int, visit_id: int, site_id: int) -> dict | None

The service checks the frame and does the work in its own transaction; the dict it returns
is sent back as the answer frame (None: no answer). A ChatError it raises becomes an error
frame as for chat's own frames, with "frame": the frame's type, so the client knows whose
error it is (docs/protocol.md, "Frames of other apps").
"""

from collections.abc import Callable

VisitorFrameService = Callable[..., dict | None]

_visitor_frames: dict[str, VisitorFrameService] = {}


def register_visitor_frame(frame_type: str, service: VisitorFrameService) -> None:
    """Route visitor frames of frame_type to service. A type registered twice with
    different services is a programming error."""
    known = _visitor_frames.get(frame_type)
    if known is not None and known is not service:
        raise ValueError(f"The visitor frame {frame_type!r} is already registered.")
    _visitor_frames[frame_type] = service


def visitor_frame_service(frame_type: str) -> VisitorFrameService | None:
    return _visitor_frames.get(frame_type)
