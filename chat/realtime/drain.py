"""Draining this process before it stops: a rolling restart without a drop
(config/serve.py, docs/operations.md "Restarting without a drop").

One Drain per process (``DRAIN``) knows the sockets this process holds open. When the
server is told to stop (SIGTERM), ``begin(spread, notice)`` marks the process draining
and, once ``notice`` seconds have passed (the load balancer's health check has seen the
drain by then), asks every socket to close with code 4012 ("reconnect now and resume"),
each at a random moment within the next ``spread`` seconds, so that thousands of clients
do not land on the other servers in the same instant. While draining:

- /healthz answers 404 ``{"draining": true}`` at once (chat/views/health.py), so load
  balancers stop sending new connections here (HAProxy's ``http-check disable-on-404``
  keeps the sockets it holds open: they leave by the drain's 4012);
- a socket that opens is closed with 4012 at once (its client reconnects elsewhere);
- a socket that finishes opening (a visitor's hello) is closed soon after.

A socket closes between two of its frames, never in the middle of one
(``FrameConsumer.drain_close``): a message the client sent before the close is stored
and acknowledged first. Process-local on purpose: other processes and hosts keep their
sockets, and nothing goes through the channel layer (which may be the thing being
restarted).
"""

import asyncio
import logging
import random
import time
import weakref

log = logging.getLogger(__name__)


class Drain:
    def __init__(self):
        self.draining = False
        self._sockets = weakref.WeakSet()
        self._tasks: set[asyncio.Task] = set()
        self._ends_at = 0.0  # time.monotonic() by which every socket was asked to close

    def register(self, socket) -> None:
        """An open socket (accepted, its first frame sent): drained when the process stops."""
        self._sockets.add(socket)
        if self.draining:  # it opened while the drain was under way: close it soon too
            self._close_later(socket, max(0.0, self._ends_at - time.monotonic()))

    def forget(self, socket) -> None:
        self._sockets.discard(socket)

    def holds(self, socket) -> bool:
        return socket in self._sockets

    @property
    def open_sockets(self) -> int:
        return len(self._sockets)

    def begin(self, spread: float = 0.0, notice: float = 0.0) -> int:
        """Start draining: after `notice` seconds every open socket closes with 4012, each
        within the next `spread` seconds. Returns how many sockets will be asked to.
        Calling it again does nothing more."""
        if self.draining:
            return 0
        self.draining = True
        spread, notice = max(0.0, float(spread)), max(0.0, float(notice))
        self._ends_at = time.monotonic() + notice + spread
        sockets = list(self._sockets)
        log.warning(
            "draining: %d sockets close %.1f s from now, within %.1f s",
            len(sockets), notice, spread,
        )  # fmt: skip
        for socket in sockets:
            self._close_later(socket, spread, after=notice)
        return len(sockets)

    def reset(self) -> None:
        """Back to serving (tests; a process never stops draining once it began)."""
        self.draining = False
        for task in list(self._tasks):
            task.cancel()

    def _close_later(self, socket, spread: float, after: float = 0.0) -> None:
        delay = after + (random.uniform(0.0, spread) if spread > 0 else 0.0)
        task = asyncio.get_running_loop().create_task(self._close(socket, delay))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close(self, socket, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        try:
            await socket.drain_close()
        except Exception:  # one socket's failure must not stop the others' drain
            log.exception("draining a socket failed")


DRAIN = Drain()
