"""The fake peers (fake.py) served on 127.0.0.1 by the standard library's HTTP server: what
the tests start. /telegram/... is the Bot API's base, /vk/... the VK API's."""

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from messengers.demo_peer import fake


def _form(content_type: str, body: bytes) -> tuple[dict, dict]:
    """(params, files) of a JSON, urlencoded or multipart body."""
    if content_type.startswith("application/json"):
        return fake.json_params(body), {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        params, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            if filename is not None:
                files[name] = (filename, part.get_payload(decode=True) or b"")
            else:
                params[name] = part.get_content().strip() if part.get_content() else ""
        return params, files
    return dict(parse_qsl(body.decode("utf-8", "replace"))), {}


class Handler(BaseHTTPRequestHandler):
    peer = fake.peer

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: bytes, content_type="application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, params: dict, files: dict) -> None:
        api, _, rest = self.path.lstrip("/").partition("/")
        if api == "telegram":
            route = fake.parse_telegram_path(rest)
            if route and route[0] == "file":
                status, content = self.peer.telegram_file(route[1], route[2])
                return self._answer(status, content, "application/octet-stream")
            if route:
                status, body = self.peer.telegram(route[1], route[2], params, files)
                return self._answer(status, json.dumps(body).encode())
        if api == "vk" and rest.startswith("method/"):
            status, body = self.peer.vk(rest[len("method/") :], params)
            return self._answer(status, json.dumps(body).encode())
        self._answer(404, b'{"ok": false, "error_code": 404, "description": "Not Found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        params, files = _form(self.headers.get("Content-Type", ""), body)
        self._route(params, files)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        self.path = path
        self._route(dict(parse_qsl(query)), {})


def start() -> tuple[ThreadingHTTPServer, str]:
    """A running server on a free port of 127.0.0.1 and its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
