"""python tests/cluster/forward.py HOST PORT TARGET_PORT: offers 127.0.0.1:TARGET_PORT (the
machine's PostgreSQL) on HOST:PORT (the bridge's address) to the hosts' namespaces; the
forwarder of tests/live_stack.py, in a process of its own so that the database's traffic
does not share the test's event loop. SIGUSR1 cuts every connection and refuses new ones
(their transactions end, their locks go), SIGUSR2 lets them through again; each change is
printed once done."""

import asyncio
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from live_stack import TcpProxy  # noqa: E402


async def main(host: str, port: int, target_port: int) -> None:
    proxy = TcpProxy(target_port, host=host, port=port)
    await proxy.start()
    loop = asyncio.get_running_loop()

    def cut():
        proxy.cut()
        print("cut", flush=True)

    def restore():
        proxy.restore()
        print("restored", flush=True)

    loop.add_signal_handler(signal.SIGUSR1, cut)
    loop.add_signal_handler(signal.SIGUSR2, restore)
    print("forwarding", flush=True)
    await asyncio.Event().wait()  # until SIGTERM


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
