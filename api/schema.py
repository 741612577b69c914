"""drf-spectacular: the bearer token scheme of api.authentication in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from the console's Access tokens page.",
        }


PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (docs/api.md, Errors).",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string", "description": "The HTTP status in words."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "instance": {"type": "string", "description": "The path of the request."},
        "code": {"type": "string", "description": "A stable machine-readable code."},
        "errors": {
            "type": "array",
            "description": "Invalid input: one entry per field error.",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "The parameter or field."},
                    "message": {"type": "string", "description": "What is wrong with it."},
                },
                "required": ["field", "message"],
            },
        },
        "retry_after": {"type": "integer", "description": "Seconds to wait (rate limits)."},
    },
    "required": ["type", "title", "status", "detail", "instance", "code"],
}

ERRORS = {
    "400": "Invalid input (see errors) or a refused action.",
    "401": "No token, or an unknown or revoked one.",
    "403": "The operator may not do this (his sites or access flags).",
    "404": "No such object among those the operator may see.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Not possible in the dialog's state (not connected, ended).",
    "413": "The file is too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests: wait Retry-After seconds.",
}


def add_problem_responses(result, generator, request, public):
    """SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS: every operation documents its errors as
    problem details (api/problems.py answers them so)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result
