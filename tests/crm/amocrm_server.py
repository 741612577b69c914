"""The local amoCRM (tests/crm/fake_crm.py) with OAuth: the token endpoint, where an
authorization code works once and a refresh token works once (each refresh answers a new
pair), and an API that takes only the access tokens it issued, answering 401 to one it does
not know or that has expired or been revoked."""

import json
import threading
import time

from werkzeug import Response

from tests.crm.fake_crm import FakeAmoCrm

CLIENT_ID = "7c0b1c66-2f6e-4a2c-9d55-1f3c3f1b4e10"
CLIENT_SECRET = "client-secret-of-the-integration"
REDIRECT_URI = "https://livechat.example/amocrm/"
LIFETIME = 86400


def _json(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def _problem(status: int, hint: str):
    return _json(
        {
            "hint": hint,
            "title": "Некорректный запрос",
            "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
            "status": status,
            "detail": "В запросе отсутствует ряд параметров или параметры невалидны",
        },
        status,
    )


class AmoCrmServer(FakeAmoCrm):
    def __init__(self, *, refresh_delay: float = 0.0):
        super().__init__(token=None)
        self.refresh_delay = refresh_delay
        self.codes: set[str] = {"def502-first-code"}
        self.refresh_tokens: set[str] = set()
        self.access_tokens: dict[str, float] = {}
        self.grants: list[dict] = []
        self.api_tokens: list[str] = []  # the bearer token of every API call, in order
        self.token_status: int | None = None  # set to answer the token endpoint with it
        self._issued = 0
        self._token_lock = threading.Lock()

    def issue(self, *, expires_in: int = LIFETIME) -> dict:
        with self._token_lock:
            self._issued += 1
            access, refresh = f"access-{self._issued}", f"refresh-{self._issued}"
            self.access_tokens[access] = time.time() + expires_in
            self.refresh_tokens.add(refresh)
        return {
            "token_type": "Bearer",
            "expires_in": expires_in,
            "access_token": access,
            "refresh_token": refresh,
        }

    def revoke(self, access_token: str) -> None:
        self.access_tokens.pop(access_token, None)

    def handle(self, request):
        if request.path == "/oauth2/access_token" and request.method == "POST":
            return self._token(request)
        return super().handle(request)

    def authorized(self, request) -> bool:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._token_lock:
            self.api_tokens.append(token)
            return self.access_tokens.get(token, 0) >= time.time()

    def _token(self, request):
        body = json.loads(request.get_data() or b"{}")
        self.grants.append(body)
        if self.token_status:
            return _json({"title": "Service unavailable"}, self.token_status)
        if (body.get("client_id"), body.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _problem(401, "Client authentication failed")
        if body.get("redirect_uri") != REDIRECT_URI:
            return _problem(400, "Redirect URI does not match")
        if body.get("grant_type") == "authorization_code":
            with self._token_lock:
                known = body.get("code") in self.codes
                self.codes.discard(body.get("code"))
            return self._json_pair() if known else _problem(400, "Authorization code has expired")
        if body.get("grant_type") == "refresh_token":
            with self._token_lock:
                known = body.get("refresh_token") in self.refresh_tokens
                self.refresh_tokens.discard(body.get("refresh_token"))
            time.sleep(self.refresh_delay)
            return self._json_pair() if known else _problem(400, "Token has been revoked")
        return _problem(400, "The authorization grant type is not supported")

    def _json_pair(self):
        return _json(self.issue())

    def oauth_settings(self, **tokens) -> dict:
        return {
            "base_url": self.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI,
            **tokens,
        }
