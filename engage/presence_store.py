"""Who is on the sites right now: one entry per online visitor, kept out of the database.

Two stores with one contract (tests/engage/test_visitors_store.py runs it on both):
Redis when REDIS_URL is set (several ASGI processes share it), an in-process dict for the
embedded default without Redis (one process). An entry lives while one of the visitor's
widget sockets does: each socket has an expiry that its process pushes forward
(engage/visitors_live.py, the heartbeat), so a process that dies without closing its
sockets leaves entries that vanish after ENGAGE_PRESENCE_TTL_SECONDS.

Entry (a dict, JSON in Redis): visit (id), since (the visit's start, epoch seconds), url,
title, pages (pages seen this visit: each change of page counts, a reload of the same one
does not), language (the browser's), sockets {socket id: expiry}, kept_until (his last
socket closed: the entry stays, offline, for one TTL, in case he opens another page).
"""

import json
import threading
import time
from collections.abc import Callable, Iterable

from django.conf import settings

Entry = dict
Change = Callable[[Entry | None], Entry | None]


def _kept(entry: Entry | None, now: float) -> Entry | None:
    """The entry without its expired sockets; None when it has none and its visitor left
    longer than a TTL ago. A visitor between two pages of a site has no socket for a
    moment: his entry is kept meanwhile, so his pages go on counting."""
    if not entry:
        return None
    sockets = {key: until for key, until in entry.get("sockets", {}).items() if until > now}
    if not sockets and entry.get("kept_until", 0) <= now:
        return None
    return {**entry, "sockets": sockets}


def _alive(entry: Entry | None, now: float) -> Entry | None:
    """The entry of an online visitor (one socket at least), else None."""
    entry = _kept(entry, now)
    return entry if entry and entry["sockets"] else None


def online_until(entry: Entry) -> float:
    return max(entry["sockets"].values(), default=0.0)


def expires_at(entry: Entry) -> float:
    return max(online_until(entry), entry.get("kept_until", 0.0))


class PresenceStore:
    """The rules, written once; subclasses only read and swap one visitor's entry."""

    ttl: float

    def _update(self, site_id: int, visitor_id: int, change: Change) -> None:
        raise NotImplementedError

    def _read(
        self, site_id: int, visitor_ids: Iterable[int] | None, now: float
    ) -> dict[int, Entry]:
        raise NotImplementedError

    def _count(self, site_id: int, now: float) -> int:
        raise NotImplementedError

    # --- writes (hooks from chat, through engage/presence.py) -----------------------------

    def socket_opened(
        self, site_id, visitor_id, socket_id, *, visit_id, since, language="", now=None
    ) -> None:
        now = time.time() if now is None else now

        def change(entry):
            entry = _kept(entry, now)
            if entry is None or entry["visit"] != visit_id:  # a new visit starts afresh
                entry = {"visit": visit_id, "since": since, "url": "", "title": "", "pages": 0}
                entry["sockets"] = {}
            entry["language"] = language or entry.get("language", "")
            entry["sockets"][socket_id] = now + self.ttl
            return entry

        self._update(site_id, visitor_id, change)

    def page_changed(self, site_id, visitor_id, socket_id, *, visit_id, url, title, now=None):
        now = time.time() if now is None else now

        def change(entry):
            entry = _kept(entry, now) or {
                "visit": visit_id,
                "since": now,
                "url": "",
                "title": "",
                "pages": 0,
                "language": "",
                "sockets": {},
            }
            if entry["visit"] != visit_id:
                entry.update(visit=visit_id, pages=0, url="")
            if url != entry["url"]:
                entry["pages"] += 1
            entry.update(url=url, title=title)
            entry["sockets"][socket_id] = now + self.ttl
            return entry

        self._update(site_id, visitor_id, change)

    def socket_closed(self, site_id, visitor_id, socket_id, *, now=None) -> None:
        now = time.time() if now is None else now

        def change(entry):
            entry = _kept(entry, now)
            if entry is not None:
                entry["sockets"].pop(socket_id, None)
                if not entry["sockets"]:
                    entry["kept_until"] = now + self.ttl
            return entry

        self._update(site_id, visitor_id, change)

    def refresh(self, sockets: Iterable[tuple[int, int, str]], *, now=None) -> None:
        """Heartbeat: the sockets (site id, visitor id, socket id) a process still holds."""
        now = time.time() if now is None else now
        for site_id, visitor_id, socket_id in sockets:

            def change(entry, socket_id=socket_id):
                entry = _kept(entry, now)
                if entry is not None and socket_id in entry["sockets"]:
                    entry["sockets"][socket_id] = now + self.ttl
                return entry

            self._update(site_id, visitor_id, change)

    # --- reads -------------------------------------------------------------------------

    def online(self, site_ids: Iterable[int], *, now=None) -> dict[tuple[int, int], Entry]:
        """Every online visitor of the sites: (site id, visitor id) -> entry."""
        now = time.time() if now is None else now
        found = {}
        for site_id in site_ids:
            for visitor_id, entry in self._read(site_id, None, now).items():
                if entry := _alive(entry, now):
                    found[(site_id, visitor_id)] = entry
        return found

    def entries(self, keys: Iterable[tuple[int, int]], *, now=None) -> dict[tuple[int, int], Entry]:
        """The entries of these (site id, visitor id); the offline ones are left out."""
        now = time.time() if now is None else now
        by_site: dict[int, list[int]] = {}
        for site_id, visitor_id in keys:
            by_site.setdefault(site_id, []).append(visitor_id)
        found = {}
        for site_id, visitor_ids in by_site.items():
            for visitor_id, entry in self._read(site_id, visitor_ids, now).items():
                if entry := _alive(entry, now):
                    found[(site_id, visitor_id)] = entry
        return found

    def counts(self, site_ids: Iterable[int], *, now=None) -> dict[int, int]:
        now = time.time() if now is None else now
        return {site_id: self._count(site_id, now) for site_id in site_ids}


class MemoryPresenceStore(PresenceStore):
    """The embedded default: the only process holds every socket."""

    PRUNE_EVERY = 1000  # updates: then entries past their keeping are dropped

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._sites: dict[int, dict[int, Entry]] = {}
        self._lock = threading.Lock()
        self._updates = 0

    def _prune(self) -> None:
        now = time.time()
        for site in self._sites.values():
            for visitor_id in [v for v, entry in site.items() if _kept(entry, now) is None]:
                del site[visitor_id]

    def _update(self, site_id, visitor_id, change):
        with self._lock:
            self._updates += 1
            if self._updates % self.PRUNE_EVERY == 0:
                self._prune()
            site = self._sites.setdefault(site_id, {})
            entry = change(json.loads(json.dumps(site[visitor_id])) if visitor_id in site else None)
            if entry is None:
                site.pop(visitor_id, None)
            else:
                site[visitor_id] = entry

    def _read(self, site_id, visitor_ids, now):
        with self._lock:
            site = self._sites.get(site_id, {})
            wanted = site.keys() if visitor_ids is None else visitor_ids
            return {v: json.loads(json.dumps(site[v])) for v in wanted if v in site}

    def _count(self, site_id, now):
        with self._lock:
            return sum(1 for entry in self._sites.get(site_id, {}).values() if _alive(entry, now))


# A socket opened or closed, in one round trip: PresenceStore.socket_opened's and
# socket_closed's change (with _kept) and RedisPresenceStore._update's write, as a script
# that Redis runs atomically (docs/performance.md, "Seventh round": the optimistic
# transaction took three round trips per socket event). The contract tests
# (tests/engage/test_visitors_store.py) run both stores.
# KEYS: visitor key, site index. ARGV: op ("open"/"close"), visitor id, socket id, now,
# ttl, and for "open" visit id, since, language.
SOCKET_SCRIPT = """
local now, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local raw = redis.call('GET', KEYS[1])
local entry = nil
if raw then
  entry = cjson.decode(raw)
  local sockets, any = {}, false
  for id, untl in pairs(entry.sockets or {}) do
    if untl > now then sockets[id] = untl; any = true end
  end
  local kept = tonumber(entry.kept_until) or 0
  if not any and kept <= now then entry = nil else entry.sockets = sockets end
end
local socket = ARGV[3]
if ARGV[1] == 'open' then
  local visit = tonumber(ARGV[6])
  if entry == nil or entry.visit ~= visit then
    entry = {visit = visit, since = tonumber(ARGV[7]), url = '', title = '', pages = 0,
             sockets = {}}
  end
  if ARGV[8] ~= '' then entry.language = ARGV[8]
  elseif type(entry.language) ~= 'string' then entry.language = '' end
  entry.sockets[socket] = now + ttl
elseif entry ~= nil then
  entry.sockets[socket] = nil
  if next(entry.sockets) == nil then entry.kept_until = now + ttl end
end
if entry == nil then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 0
end
local online = 0
for _, untl in pairs(entry.sockets) do
  if untl > online then online = untl end
end
local expires = math.max(online, tonumber(entry.kept_until) or 0)
local encoded = cjson.encode(entry)
if next(entry.sockets) == nil then  -- an empty table is an object, as Python writes it
  encoded = string.gsub(encoded, '"sockets":%[%]', '"sockets":{}')
end
redis.call('SET', KEYS[1], encoded, 'EXAT', math.floor(expires) + 1)
if next(entry.sockets) ~= nil then
  redis.call('ZADD', KEYS[2], string.format('%.6f', online), ARGV[2])
  redis.call('EXPIRE', KEYS[2], math.floor(ttl) * 2)
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1
"""


class RedisPresenceStore(PresenceStore):
    """Several processes: a key per visitor (JSON, expiring with his last socket) and a
    sorted set per site (visitor id scored by that expiry) to list and count them. A
    change is an optimistic transaction on the visitor's key only, so visitors of one
    site never wait for each other; a socket's open and close are one script each
    (SOCKET_SCRIPT), one round trip."""

    def __init__(self, topology, ttl: float, prefix: str):
        from config.redis_topology import RedisTopology

        self.ttl = ttl
        self.prefix = prefix
        if isinstance(topology, str):  # a server's URL
            topology = RedisTopology(url=topology)
        # One server or the master Redis Sentinel names (config/redis_topology.py).
        self.client = topology.client()
        self._socket_script = self.client.register_script(SOCKET_SCRIPT)

    def _socket_event(self, site_id, visitor_id, args) -> None:
        keys = [self._visitor_key(site_id, visitor_id), self._site_key(site_id)]
        self._socket_script(keys=keys, args=args)

    def socket_opened(
        self, site_id, visitor_id, socket_id, *, visit_id, since, language="", now=None
    ) -> None:
        now = time.time() if now is None else now
        args = ["open", visitor_id, socket_id, repr(float(now)), repr(float(self.ttl))]
        self._socket_event(site_id, visitor_id, [*args, visit_id, repr(float(since)), language])

    def socket_closed(self, site_id, visitor_id, socket_id, *, now=None) -> None:
        now = time.time() if now is None else now
        args = ["close", visitor_id, socket_id, repr(float(now)), repr(float(self.ttl))]
        self._socket_event(site_id, visitor_id, args)

    def _site_key(self, site_id):
        return f"{self.prefix}:engage:presence:{site_id}"

    def _visitor_key(self, site_id, visitor_id):
        return f"{self.prefix}:engage:presence:{site_id}:{visitor_id}"

    def _update(self, site_id, visitor_id, change):
        import redis

        key, index = self._visitor_key(site_id, visitor_id), self._site_key(site_id)
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    entry = change(json.loads(raw) if raw else None)
                    pipe.multi()
                    if entry is None:
                        pipe.delete(key)
                        pipe.zrem(index, visitor_id)
                    else:
                        pipe.set(key, json.dumps(entry), exat=int(expires_at(entry)) + 1)
                        if entry["sockets"]:  # the index holds the online ones only
                            until = online_until(entry)
                            pipe.zadd(index, {visitor_id: until})
                            # Every write comes with a socket's new expiry (now + TTL): the
                            # index outlives them all (EXPIRE ... GT needs Redis 7).
                            pipe.expire(index, int(self.ttl) * 2)
                        else:
                            pipe.zrem(index, visitor_id)
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue  # another process changed the visitor meanwhile: again

    def _read(self, site_id, visitor_ids, now):
        if visitor_ids is None:
            index = self._site_key(site_id)
            self.client.zremrangebyscore(index, "-inf", now)
            visitor_ids = [int(v) for v in self.client.zrangebyscore(index, now, "+inf")]
        visitor_ids = list(visitor_ids)
        if not visitor_ids:
            return {}
        raws = self.client.mget([self._visitor_key(site_id, v) for v in visitor_ids])
        return {v: json.loads(raw) for v, raw in zip(visitor_ids, raws, strict=True) if raw}

    def _count(self, site_id, now):
        return self.client.zcount(self._site_key(site_id), now, "+inf")


_store: PresenceStore | None = None
_store_lock = threading.Lock()


def store() -> PresenceStore:
    """The process's store, chosen by the settings on first use."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                ttl = settings.ENGAGE_PRESENCE_TTL_SECONDS
                if settings.REDIS_TOPOLOGY:
                    _store = RedisPresenceStore(
                        settings.REDIS_TOPOLOGY, ttl, settings.ENGAGE_PRESENCE_PREFIX
                    )
                else:
                    _store = MemoryPresenceStore(ttl)
    return _store


def reset_store() -> None:
    """Tests: forget the store (the next use builds it from the settings again)."""
    global _store
    _store = None
