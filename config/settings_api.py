"""Settings of the operator API (api/, docs/api.md); config/settings.py imports them last.
Every value can be set in the environment."""

import environ

env = environ.Env()

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.IsOperator"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
}

# Requests per token: "N/s", "N/min", "N/hour" or "N/day"; over it, 429 with Retry-After.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "Live chat operator API",
    "DESCRIPTION": "What an operator does in the console, for apps and integrations "
    "(docs/api.md). Live updates: the console WebSocket (/ws/console/ with the same "
    "Authorization: Bearer token; docs/operator-protocol.md). Revoking a token closes the "
    'sockets it opened at once with close code 4401 and reason "token_revoked": do not '
    "reconnect with that token.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's Swagger UI from the drf-spectacular-sidecar package: nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DialogStatusEnum": "chat.models.Dialog.Status",
        "OperatorStatusEnum": "operators.models.Operator.Status",
    },
}

# CORS (django-cors-headers) for /api/ only, closed unless origins are listed.
CORS_ALLOWED_ORIGINS = env.list("API_CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["authorization", "content-type"]
