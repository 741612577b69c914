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

Console (operator) frames of other apps work the same way (register_operator_frame):

    service(frame, *, operator: Operator, site_ids: set[int]) -> dict | None

An app adds a part of its own to hello the same way (register_hello_part below), so the
widget learns what it needs at connect without a frame of its own.
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


# Parts of hello from other apps: hello[key] = part(site=..., session=..., language=...),
# called on the database thread that opens the socket, after the session has started.
HelloPart = Callable[..., object]

_hello_parts: dict[str, HelloPart] = {}


def register_hello_part(key: str, part: HelloPart) -> None:
    """Add hello[key] to every widget's hello (docs/protocol.md, "Frames of other apps").
    A key registered twice with different functions is a programming error."""
    known = _hello_parts.get(key)
    if known is not None and known is not part:
        raise ValueError(f"The hello part {key!r} is already registered.")
    _hello_parts[key] = part


def hello_parts(*, site, session, language: str) -> dict:
    """Every registered part, computed for this visitor's socket."""
    return {
        key: part(site=site, session=session, language=language)
        for key, part in _hello_parts.items()
    }


# Console topics of other apps: live updates only the console pages that ask for them hear
# (the socket's URL names them: /ws/console/?topics=visitors). groups(operator=...,
# site_ids=...) -> the channel-layer groups (built by chat.realtime.events) that a console
# socket asking for the topic joins; the app publishes fragment events to them.
ConsoleTopic = Callable[..., list[str]]

_console_topics: dict[str, ConsoleTopic] = {}


def register_console_topic(name: str, groups: ConsoleTopic) -> None:
    known = _console_topics.get(name)
    if known is not None and known is not groups:
        raise ValueError(f"The console topic {name!r} is already registered.")
    _console_topics[name] = groups


def console_topic_groups(names, *, operator, site_ids) -> list[str]:
    """The groups of the registered topics among names (unknown names are ignored)."""
    groups = []
    for name in dict.fromkeys(names):
        if topic := _console_topics.get(name):
            groups.extend(topic(operator=operator, site_ids=site_ids))
    return groups


# Console frames of other apps (OperatorConsumer.handler_for), as visitor frames above.
OperatorFrameService = Callable[..., dict | None]

_operator_frames: dict[str, OperatorFrameService] = {}


def register_operator_frame(frame_type: str, service: OperatorFrameService) -> None:
    """Route console frames of frame_type to service(frame, operator=..., site_ids=...).
    A type registered twice with different services is a programming error."""
    known = _operator_frames.get(frame_type)
    if known is not None and known is not service:
        raise ValueError(f"The operator frame {frame_type!r} is already registered.")
    _operator_frames[frame_type] = service


def operator_frame_service(frame_type: str) -> OperatorFrameService | None:
    return _operator_frames.get(frame_type)


# Gates of other apps on the console socket: gate(scope) -> bool, called on a database
# thread before the socket is accepted; any False refuses it as unauthenticated (the
# twofactor app holds back a session that has not passed its second factor).
ConsoleGate = Callable[[dict], bool]

_console_gates: list[ConsoleGate] = []


def register_console_gate(gate: ConsoleGate) -> None:
    if gate not in _console_gates:
        _console_gates.append(gate)


def console_gates_admit(scope) -> bool:
    return all(gate(scope) for gate in _console_gates)


# Groups of other apps that a console socket joins for what its scope carries:
# groups(scope) -> list[str] (built by chat.realtime.events). The api app puts the socket's
# access token in the scope and names its group, so revoking the token closes the socket
# (events.close_event sent to the group).
ConsoleScopeGroups = Callable[[dict], list[str]]

_console_scope_groups: list[ConsoleScopeGroups] = []


def register_console_scope_groups(groups: ConsoleScopeGroups) -> None:
    if groups not in _console_scope_groups:
        _console_scope_groups.append(groups)


def console_scope_groups(scope) -> list[str]:
    return [group for groups in _console_scope_groups for group in groups(scope)]
