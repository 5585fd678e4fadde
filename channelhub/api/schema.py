"""Schema hooks (drf-spectacular ``POSTPROCESSING_HOOKS``)."""

from __future__ import annotations

#: The error answers of the API frame (``channelhub.api.exceptions``), documented on every operation
#: that can give them unless the view documents its own.
ERRORS = {
    "400": "Bad input: field errors (`{field: [message, …]}`).",
    "401": "Not authenticated.",
    "403": "Your role may not do this.",
    "404": "Unknown or out of scope (`detail`).",
    "409": "Not allowed in the current state (`detail` names it).",
    "415": "The body is not JSON, a form or multipart.",
    "429": "Too many failed attempts: locked out for a while (django-axes).",
}


def _codes(path: str, method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    has_query = any(parameter["in"] == "query" for parameter in parameters)
    has_path = any(parameter["in"] == "path" for parameter in parameters)
    codes = []
    if has_query or has_path or "requestBody" in operation:
        codes.append("400")
    if operation.get("security"):
        codes += ["401", "403"]
    if has_path or any(parameter["name"] == "page" for parameter in parameters):
        codes.append("404")  # an unknown or hidden object; a page beyond the last
    if method in ("post", "put", "patch") and operation.get("security"):
        codes.append("409")
    if "requestBody" in operation:
        codes.append("415")
    if path.endswith("/auth/token/") and method == "post":
        codes.append("429")
    return codes


def document_error_responses(result, generator, request, public):
    """Add the frame's error answers (400, 401, 403, 404, 409, 415; 429 for ``auth/token``) to the
    operations that can give them, so that the schema lists every status code the API answers."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation):
                responses.setdefault(code, {"description": ERRORS[code]})
    return result
