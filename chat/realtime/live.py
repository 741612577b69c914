"""Whether this process's sockets hear live events, and what they do when they may not have.

The channel layer (chat/realtime/layer.py) owns one LiveDelivery and reports to it when it fails
and when it works again. Events published while it failed are lost for good (Redis
pub/sub keeps nothing), so:

- on failure every open socket of the process gets a ``delivery`` frame (live updates
  paused; messages are still stored and acknowledged while the database is fine);
- on recovery every open socket of the process is closed (code 4012), so its client
  reconnects and resumes from the database: what it missed is replayed, exactly once on
  screen thanks to the dedup by message id (docs/protocol.md, Resume);
- sockets of other processes in a group whose event failed here get a ``chat.resync``
  event once the layer works again (events.resync_group), and close the same way.

Consumers reach it as ``channel_layer.live`` (None on the in-memory layer, which cannot
fail). Sockets register with ``watch`` once accepted; they have ``live_paused()`` and
``live_resync()`` coroutines.
"""

import asyncio
import logging
import weakref

log = logging.getLogger(__name__)


class LiveDelivery:
    def __init__(self):
        self.down = False
        self._sockets = weakref.WeakSet()
        self._failed_groups: set[str] = set()
        self._tasks: set[asyncio.Task] = set()

    def watch(self, socket) -> None:
        self._sockets.add(socket)

    def forget(self, socket) -> None:
        self._sockets.discard(socket)

    def is_watched(self, socket) -> bool:
        """Accepted and not closed yet."""
        return socket in self._sockets

    def failed(self, error: BaseException, group: str | None = None) -> None:
        """The layer could not do something; `group` names the group whose event was lost."""
        if group is not None:
            self._failed_groups.add(group)
        if self.down:
            return
        self.down = True
        log.warning("channel layer unavailable, live delivery paused: %r", error)
        self._each_socket("live_paused")

    def lost_subscriptions(self) -> None:
        """The connection holding the layer's subscriptions was re-established: events
        published while it was away never reached this process."""
        log.warning(
            "channel layer subscriptions re-established; %d sockets resync", len(self._sockets)
        )
        self._each_socket("live_resync")

    def recovered(self, layer) -> None:
        """A round trip through the layer worked again."""
        if not self.down:
            return
        self.down = False
        groups = sorted(self._failed_groups)
        self._failed_groups.clear()
        log.warning(
            "channel layer back; %d sockets resync, %d groups told", len(self._sockets), len(groups)
        )
        self._each_socket("live_resync")
        if groups:
            self._spawn(self._tell_groups(layer, groups))

    async def _tell_groups(self, layer, groups) -> None:
        # Imported here: chat.realtime.layer loads this module as the channel layer's backend,
        # possibly before the apps (chat.realtime.events imports the models through payloads).
        from chat.realtime import events

        for group in groups:
            await events.resync_group(layer, group)

    def _each_socket(self, method: str) -> None:
        for socket in list(self._sockets):
            self._spawn(getattr(socket, method)())

    def _spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
