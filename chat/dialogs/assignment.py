"""Who a new dialog goes to, without chat importing the app that decides (routing).

An app registers one function in its AppConfig.ready():

    assignment.register_router(fn)   # fn(dialog) -> list[int] | None

chat calls route_opened_dialog(dialog) inside the transaction of the visitor's first
message, after the message is stored and before anything is announced, with the dialog's
row created in this transaction. The router may connect an operator there
(lifecycle.join_locked_dialog, which updates this same dialog object); it returns the ids
of the operators connected now, or None to leave the dialog new for every operator of the
site (chat's own behaviour, and what happens when nothing is registered). Because the
first announcement of the dialog already names its operator, the other consoles never
list it in Mine nor alert for it.
"""

from collections.abc import Callable

Router = Callable[..., list[int] | None]

_routers: list[Router] = []


def register_router(fn: Router) -> None:
    """A second, different function is a programming error."""
    if _routers and _routers[0] is not fn:
        raise ValueError("A router is already registered.")
    _routers[:] = [fn]


def route_opened_dialog(dialog, operator_ids: list[int]) -> list[int]:
    """The operators connected to the just-opened dialog once the router has decided."""
    if not _routers:
        return operator_ids
    routed = _routers[0](dialog)
    return operator_ids if routed is None else routed
