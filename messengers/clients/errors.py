"""How a messenger's refusal or failure is told to the delivery logic."""

from dataclasses import dataclass


@dataclass
class PeerError(Exception):
    """temporary: worth another attempt (429, 5xx, network, VK's 6/9/10);
    retry_after: the seconds the messenger asked us to wait, if it said."""

    description: str
    temporary: bool = False
    retry_after: float | None = None

    def __str__(self):
        return self.description
