"""The image's HEALTHCHECK: GET /healthz on this container's web server; exit 0 when it
answers 200 (database, channel layer and broker all answer), 1 otherwise.

With --alive (a liveness probe): exit 0 on any answer, 503 included. /healthz answers
within about 1.5 s whatever is down, so only a server that no longer answers fails;
restarting it would not bring back PostgreSQL or Redis.

The request names a host the server accepts: HEALTHCHECK_HOST, or the first entry of
ALLOWED_HOSTS (a wildcard or a leading dot becomes localhost)."""

import http.client
import os
import sys


def host() -> str:
    named = os.environ.get("HEALTHCHECK_HOST", "")
    if named:
        return named
    first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    return "localhost" if not first or first == "*" or first.startswith(".") else first


def main(argv: list[str]) -> int:
    alive_only = "--alive" in argv
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": host()})
        response = connection.getresponse()
        body = response.read(2000).decode(errors="replace")
    except OSError as error:
        print(f"healthz: {error.__class__.__name__}", file=sys.stderr)
        return 1
    print(f"healthz: {response.status} {body}")
    return 0 if response.status == 200 or alive_only else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
