"""The Redis pub/sub channel layer, made safe to use while Redis is down or hangs.

channels_redis raises (or, on a host that stops answering, waits forever) when Redis is
unavailable; a consumer that awaits it dies or hangs, and events.publish would fail a
request whose data is already committed. Here every operation is bounded by ``timeout``
seconds and never raises: a failure is logged and reported to ``self.live``
(chat/realtime/live.py), which pauses live delivery for this process's sockets and makes them
resync once the layer works again. While the layer is known to be down, sends and
subscriptions are skipped at once (a heartbeat, one round trip every ``heartbeat``
seconds, notices the recovery), so a visitor's message is stored and acknowledged
without waiting for Redis.

Configured in config/settings.py when REDIS_URL is set (docs/operations.md, Health and
faults).
"""

import asyncio
import itertools
import logging
import uuid

from channels_redis.pubsub import RedisPubSubChannelLayer

from chat.realtime.live import LiveDelivery

log = logging.getLogger(__name__)


class ResilientPubSubLayer(RedisPubSubChannelLayer):
    def __init__(self, *args, timeout: float = 2.0, heartbeat: float = 1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.timeout = timeout
        self.heartbeat_interval = heartbeat
        self._heartbeats: dict = {}  # event loop -> its heartbeat task
        self.live = LiveDelivery()

    async def new_channel(self, prefix="specific."):
        self._start_heartbeat()
        loop_layer = self._get_layer()
        if not self._skipping():
            try:
                async with asyncio.timeout(self.timeout):
                    return await loop_layer.new_channel(prefix)
            except Exception as error:
                self.live.failed(error)
        # A local channel without its Redis subscription: the consumer still answers from
        # the database, and live.recovered() closes its socket so the client resubscribes.
        channel = f"{loop_layer.prefix}{prefix}{uuid.uuid4().hex}"
        loop_layer.channels[channel] = asyncio.Queue()
        return channel

    async def group_add(self, group, channel):
        if not self._skipping():
            await self._bounded("group_add", group, channel)

    async def group_discard(self, group, channel):
        # Also while down: it forgets the membership locally before it talks to Redis.
        await self._bounded("group_discard", group, channel)

    async def group_send(self, group, message):
        if self._skipping():
            self.live.failed(ConnectionError("channel layer down"), group)
            return
        await self._bounded("group_send", group, message, group=group)

    async def send(self, channel, message):
        if self._skipping():
            return
        await self._bounded("send", channel, message)

    def _skipping(self) -> bool:
        """Down, and a heartbeat in this loop will notice the recovery (processes without
        sockets, like the Celery worker, have none and keep trying)."""
        return self.live.down and asyncio.get_running_loop() in self._heartbeats

    async def _bounded(self, name, *args, group=None):
        try:
            async with asyncio.timeout(self.timeout):
                await getattr(self._get_layer(), name)(*args)
        except Exception as error:
            self.live.failed(error, group)

    async def flush(self):
        heartbeat = self._heartbeats.pop(asyncio.get_running_loop(), None)
        if heartbeat is not None:
            heartbeat.cancel()
        await self._get_layer().flush()

    # --- heartbeat ----------------------------------------------------------------------

    def _start_heartbeat(self):
        loop = asyncio.get_running_loop()
        if loop not in self._heartbeats:
            self._heartbeats[loop] = loop.create_task(self._heartbeat())

    async def _heartbeat(self):
        loop_layer = self._get_layer()
        channel = None
        for number in itertools.count():
            await asyncio.sleep(self.heartbeat_interval)
            self._hook_subscriber_connections(loop_layer)
            try:
                async with asyncio.timeout(self.timeout):
                    if channel not in loop_layer.channels:
                        channel = await loop_layer.new_channel("live-heartbeat.")
                    await loop_layer.send(channel, {"type": "heartbeat", "number": number})
                    while (await loop_layer.receive(channel)).get("number") != number:
                        pass  # a late answer to an earlier round
            except Exception as error:
                self.live.failed(error)
            else:
                self.live.recovered(self)

    def _hook_subscriber_connections(self, loop_layer):
        """Hear every reconnect of the connection that holds our subscriptions: whatever
        was published while it was away is lost (channels_redis internals, 4.x)."""
        for shard in getattr(loop_layer, "_shards", ()):
            connection = getattr(getattr(shard, "_pubsub", None), "connection", None)
            if connection is not None:
                connection.register_connect_callback(self._subscriber_reconnected)

    async def _subscriber_reconnected(self, connection):
        self.live.lost_subscriptions()
