"""Daphne that drains before it stops: a rolling restart without a drop
(docs/operations.md, "Restarting without a drop").

    python -m config.serve -b 127.0.0.1 -p 8001 config.asgi:application

takes Daphne's own options (it is Daphne's command line with another server class). On
SIGTERM (or SIGINT) the process

1. marks itself draining: /healthz answers 404 {"draining": true} (HAProxy's
   `http-check disable-on-404`: no new connections, the open ones stay) and a socket
   that opens is closed with 4012 at once (chat/realtime/drain.py);
2. waits DRAIN_NOTICE_SECONDS (2), serving every socket it holds, so that the load
   balancer's health check sees the drain before the first socket moves: the clients
   that reconnect then reach another server, not this one again;
3. asks every open socket to close with 4012 ("reconnect now and resume"), each at a
   random moment within DRAIN_SPREAD_SECONDS; the widget and the console reconnect, to
   another server, and resume: nothing is lost;
4. stops listening after DRAIN_LISTEN_SECONDS (by default once the spread is over:
   notice + spread; 0: at once, for a balancer without health checks that learns only
   from a refused connection). Listening through the drain keeps the health check
   answered (404): a refused one would make HAProxy mark the server down and, with
   `on-marked-down shutdown-sessions`, cut the sockets still waiting for their turn;
5. exits once no connection is left (their consumers finished: a visitor's socket is
   counted closed, an operator's presence updated), or after DRAIN_TIMEOUT_SECONDS,
   when what is left is dropped as plain Daphne would.

A second SIGTERM or SIGINT stops at once. Plain `daphne` still works: its SIGTERM drops
every socket (clients see 1006 and reconnect with backoff).
"""

import asyncio
import logging
import os
import signal
import sys
import time

from daphne.cli import CommandLineInterface
from daphne.server import Server
from twisted.internet import reactor

log = logging.getLogger("config.serve")

CHECK_EVERY = 0.2  # seconds between two looks at the connections left


def seconds_from_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return max(0.0, float(value)) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, not {value!r}") from None


class DrainingServer(Server):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spread = seconds_from_env("DRAIN_SPREAD_SECONDS", 5.0)
        self.timeout = seconds_from_env("DRAIN_TIMEOUT_SECONDS", 30.0)
        self.notice = seconds_from_env("DRAIN_NOTICE_SECONDS", 2.0)
        # Listening until the last socket was asked to go, unless told otherwise.
        self.listen_seconds = seconds_from_env("DRAIN_LISTEN_SECONDS", self.notice + self.spread)
        self.ports = []
        self.drain_started = None
        # Ours handle SIGTERM and SIGINT (install_signal_handlers), not Twisted's.
        self.own_signal_handlers = self.signal_handlers
        self.signal_handlers = False

    def run(self):
        if self.own_signal_handlers:
            reactor.callWhenRunning(self.install_signal_handlers)
        super().run()

    def install_signal_handlers(self):
        loop = asyncio.get_event_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, self.on_signal, number)

    def listen_success(self, port):
        self.ports.append(port)
        super().listen_success(port)

    def on_signal(self, number):
        if self.drain_started is not None:
            log.warning("%s again: stopping now", signal.Signals(number).name)
            self.stop()
            return
        self.begin_drain(signal.Signals(number).name)

    def begin_drain(self, why: str = "asked"):
        from chat.realtime.drain import DRAIN

        self.drain_started = time.monotonic()
        sockets = DRAIN.begin(self.spread, notice=self.notice)
        log.warning(
            "%s: draining %d sockets over %.1f s after %.1f s (at most %.1f s), "
            "listening %.1f s more",
            why, sockets, self.spread, self.notice, self.timeout, self.listen_seconds,
        )  # fmt: skip
        reactor.callLater(self.listen_seconds, self.stop_listening)
        reactor.callLater(CHECK_EVERY, self.exit_when_drained)

    def stop_listening(self):
        for port in self.ports:
            port.stopListening()
        self.ports = []

    def connections_left(self) -> int:
        """Connections still open, or whose consumer has not finished (a socket's
        disconnect handler is still writing to the database)."""
        left = 0
        for details in list(self.connections.values()):
            instance = details.get("application_instance")
            if "disconnected" not in details or (instance is not None and not instance.done()):
                left += 1
        return left

    def exit_when_drained(self):
        left = self.connections_left()
        waited = time.monotonic() - self.drain_started
        if (left == 0 and not self.ports) or waited >= self.timeout:
            if left:
                log.warning("drain timeout after %.1f s: dropping %d connections", waited, left)
            else:
                log.warning("drained in %.1f s", waited)
            self.application_checker_once()
            self.stop()
            return
        reactor.callLater(CHECK_EVERY, self.exit_when_drained)

    def application_checker_once(self):
        """Log what the consumers that finished since Daphne's last look (once a second)
        raised, as its application_checker would have."""
        for details in list(self.connections.values()):
            instance = details.get("application_instance")
            if instance is not None and instance.done() and not instance.cancelled():
                error = instance.exception()
                if error is not None:
                    log.error("Exception inside application: %s", error, exc_info=error)
                details.pop("application_instance")

    def kill_all_applications(self):
        """Daphne's, for the connections left at the timeout; an entry whose application
        never started (a request still being read) has nothing to cancel."""
        for protocol, details in list(self.connections.items()):
            if "application_instance" not in details:
                del self.connections[protocol]
        return super().kill_all_applications()


class DrainingCommandLine(CommandLineInterface):
    description = "Django HTTP/WebSocket server that drains its sockets on SIGTERM"
    server_class = DrainingServer


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    DrainingCommandLine().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
