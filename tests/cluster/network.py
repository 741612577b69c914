"""Hosts on one machine: a network namespace per host, each joined by a veth pair to a
bridge in the root namespace on a private /24 (10.231.N.0/24, an N no address or route of
the machine uses). The bridge's address (.1) is where the root namespace offers
PostgreSQL, Redis and the object store to the hosts; nothing is routed beyond the bridge.

Names carry this process's id and a random tag, so two runs never share a namespace, and
close() removes everything the run made (also after a failure). Namespaces left behind by
a run that was killed (its pid gone) are removed by the next run."""

import contextlib
import ipaddress
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass

PREFIX = "lcc-"  # every namespace of these tests: lcc-<pid>-<tag>-<host>


def ip(*args: str, check: bool = True) -> str:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)
    if check and result.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def missing_pieces() -> list[str]:
    """What this machine lacks to build the hosts (empty: all there)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (network namespaces)")
    if not shutil.which("ip"):
        missing.append("iproute2's ip")
    if not shutil.which("haproxy") and not os.path.exists("/usr/sbin/haproxy"):
        missing.append("haproxy")
    return missing


@dataclass
class Host:
    name: str
    namespace: str
    address: str

    def command(self, args: list[str]) -> list[str]:
        """args run inside the host (exec'd in place: the pid is the program's own)."""
        return ["ip", "netns", "exec", self.namespace, *args]

    def pids(self) -> list[int]:
        out = ip("netns", "pids", self.namespace, check=False)
        return [int(pid) for pid in out.split()]


class Network:
    def __init__(self):
        self.tag = secrets.token_hex(2)
        self.third = free_octet()
        self.subnet = f"10.231.{self.third}"
        self.gateway = f"{self.subnet}.1"
        self.bridge = f"lc{self.tag}br"
        self.hosts: list[Host] = []
        remove_stale_namespaces()
        ip("link", "add", self.bridge, "type", "bridge", "forward_delay", "0")
        try:
            ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
            ip("link", "set", self.bridge, "up")
        except RuntimeError:
            self.close()
            raise

    def add_host(self, name: str) -> Host:
        number = len(self.hosts) + 1
        host = Host(
            name=name,
            namespace=f"{PREFIX}{os.getpid()}-{self.tag}-{name}",
            address=f"{self.subnet}.{10 + number}",
        )
        outside, inside = f"lc{self.tag}h{number}", f"lc{self.tag}i{number}"
        ip("netns", "add", host.namespace)
        self.hosts.append(host)
        ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        ip("link", "set", inside, "netns", host.namespace)
        ip("link", "set", outside, "master", self.bridge, "up")
        ip("-n", host.namespace, "link", "set", inside, "name", "eth0")
        ip("-n", host.namespace, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip("-n", host.namespace, "link", "set", "eth0", "up")
        ip("-n", host.namespace, "link", "set", "lo", "up")
        return host

    def close(self) -> None:
        """Every process left in the hosts (all started by this run) killed, the namespaces
        (and with them their veth pairs) and the bridge deleted."""
        for number, host in enumerate(self.hosts, start=1):
            delete_namespace(host.namespace)
            ip("link", "del", f"lc{self.tag}h{number}", check=False)  # gone with it, usually
        ip("link", "del", self.bridge, check=False)


def delete_namespace(namespace: str) -> None:
    for pid in ip("netns", "pids", namespace, check=False).split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    ip("netns", "del", namespace, check=False)


def free_octet() -> int:
    """N for 10.231.N.0/24 that no address or route of the machine falls in."""
    used = ip("-4", "-o", "addr") + ip("-4", "route")
    taken = {int(match) for match in re.findall(r"\b10\.231\.(\d+)\.\d+", used) if int(match) < 256}
    for _ in range(50):
        third = random.randint(16, 250)
        network = ipaddress.ip_network(f"10.231.{third}.0/24")
        if third not in taken and not any(
            ipaddress.ip_address(a) in network for a in re.findall(r"inet (\S+)/", used)
        ):
            return third
    raise RuntimeError("no free 10.231.N.0/24")


def remove_stale_namespaces() -> None:
    """Namespaces of an earlier run whose process is gone (killed before its clean-up)."""
    for line in ip("netns", "list", check=False).splitlines():
        name = line.split()[0] if line.split() else ""
        match = re.fullmatch(rf"{PREFIX}(\d+)-([0-9a-f]+)-\w+", name)
        if match and not os.path.exists(f"/proc/{match.group(1)}"):
            delete_namespace(name)
            ip("link", "del", f"lc{match.group(2)}br", check=False)
