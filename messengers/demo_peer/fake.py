"""A FAKE Telegram Bot API and VK API, for the tests and the demo only: the subset this
app uses, with the real request and answer shapes, errors and `retry_after`. It keeps its
state in memory; `peer` is the one instance a process serves (tests/messengers start it
on 127.0.0.1 with server.py; `make run` serves it under /demo/telegram-api/ and
/demo/vk-api/, views.py). Nothing here talks to the real services."""

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field


def _ok(result) -> tuple[int, dict]:
    return 200, {"ok": True, "result": result}


def _tg_error(code: int, description: str, **parameters) -> tuple[int, dict]:
    body = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


@dataclass
class FakePeer:
    telegram_bots: dict = field(default_factory=dict)  # token -> {"id", "username", ...}
    vk_groups: dict = field(default_factory=dict)  # token -> {"id", "name", "screen_name"}
    files: dict = field(default_factory=dict)  # file_id -> (file_path, bytes)
    webhooks: dict = field(default_factory=dict)  # token -> {"url", "secret_token"}
    calls: list = field(default_factory=list)  # every request: {"api", "method", "params", ...}
    failures: deque = field(default_factory=deque)  # (api, status, body) answered next
    vk_random_ids: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self._ids = itertools.count(1000)

    def reset(self) -> None:
        with self.lock:
            for store in (self.telegram_bots, self.vk_groups, self.files, self.webhooks):
                store.clear()
            self.calls.clear()
            self.failures.clear()
            self.vk_random_ids.clear()

    # --- what tests and the demo set up ---------------------------------------------

    def add_telegram_bot(self, token: str, username: str, bot_id: int) -> None:
        self.telegram_bots[token] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": username,
            "username": username,
        }

    def add_vk_group(self, token: str, group_id: int, name: str) -> None:
        self.vk_groups[token] = {"id": group_id, "name": name, "screen_name": f"club{group_id}"}

    def add_file(self, file_id: str, file_path: str, content: bytes) -> None:
        self.files[file_id] = (file_path, content)

    def fail_next(self, api: str, status: int, body: dict) -> None:
        """The next call to api ("telegram" or "vk") gets this answer instead."""
        self.failures.append((api, status, body))

    def sent(self, api: str = "telegram") -> list[dict]:
        """The successful sending calls, oldest first."""
        return [c for c in self.calls if c["api"] == api and c.get("sent")]

    # --- the APIs -------------------------------------------------------------------

    def _scripted(self, api: str):
        with self.lock:
            if self.failures and self.failures[0][0] == api:
                _, status, body = self.failures.popleft()
                return status, body
        return None

    def telegram(self, token: str, method: str, params: dict, files: dict) -> tuple[int, dict]:
        call = {"api": "telegram", "method": method, "token": token, "params": params}
        call["files"] = {name: (f[0], len(f[1])) for name, f in files.items()}
        self.calls.append(call)
        if scripted := self._scripted("telegram"):
            return scripted
        bot = self.telegram_bots.get(token)
        if bot is None:
            return _tg_error(401, "Unauthorized")
        if method == "getMe":
            return _ok(bot)
        if method == "setWebhook":
            self.webhooks[token] = {"url": params.get("url"), "secret": params.get("secret_token")}
            return _ok(True)
        if method == "getFile":
            found = self.files.get(params.get("file_id"))
            if found is None:
                return _tg_error(400, "Bad Request: invalid file_id")
            path, content = found
            file_id = params["file_id"]
            return _ok({"file_id": file_id, "file_size": len(content), "file_path": path})
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            chat_id = params.get("chat_id")
            if not chat_id:
                return _tg_error(400, "Bad Request: chat_id is empty")
            if method == "sendMessage" and not params.get("text"):
                return _tg_error(400, "Bad Request: message text is empty")
            call["sent"] = True
            message = {"message_id": next(self._ids), "chat": {"id": int(chat_id)}, "date": 0}
            return _ok(message)
        return _tg_error(404, "Not Found")

    def telegram_file(self, token: str, path: str) -> tuple[int, bytes]:
        if token not in self.telegram_bots:
            return 401, b""
        for file_path, content in self.files.values():
            if file_path == path:
                return 200, content
        return 404, b""

    def vk(self, method: str, params: dict) -> tuple[int, dict]:
        call = {"api": "vk", "method": method, "params": params}
        self.calls.append(call)
        if scripted := self._scripted("vk"):
            return scripted
        group = self.vk_groups.get(params.get("access_token"))
        if group is None:
            return 200, {"error": {"error_code": 5, "error_msg": "User authorization failed"}}
        if method == "groups.getById":
            return 200, {"response": {"groups": [group], "profiles": []}}
        if method == "messages.send":
            if not params.get("peer_id") or not params.get("message"):
                error = {"error_code": 100, "error_msg": "One of the parameters specified was"}
                return 200, {"error": error}
            random_id = params.get("random_id")
            with self.lock:
                duplicate = random_id in self.vk_random_ids
                self.vk_random_ids.add(random_id)
            if not duplicate:
                call["sent"] = True
            return 200, {"response": next(self._ids)}
        return 200, {"error": {"error_code": 3, "error_msg": "Unknown method passed"}}


peer = FakePeer()


def parse_telegram_path(path: str):
    """("call", token, method) for /bot<token>/<method>, ("file", token, file_path) for
    /file/bot<token>/<path>, None otherwise."""
    path = path.lstrip("/")
    if path.startswith("file/bot"):
        token, _, file_path = path[len("file/bot") :].partition("/")
        return ("file", token, file_path) if file_path else None
    if path.startswith("bot"):
        token, _, method = path[3:].partition("/")
        return ("call", token, method) if method else None
    return None


def json_params(body: bytes) -> dict:
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return {}
    return {k: v for k, v in params.items()} if isinstance(params, dict) else {}
