"""Schemathesis hooks for .ci/api-fuzz.

Two exemptions, and only these: a `cursor` is an opaque token the server issued (base64url of the
sort key of a page's last row). No schema can say "issued by this server for this sort and order", so a
schema-valid string the server never issued is refused with 400 naming `cursor`. And a time window
(`from`, `to`, `compare`) has rules between parameters no schema can state: `from` not after `to`,
`compare` only with a `from`, and only the parameters that mean something in a window beside it
(the refusal says "not available with a time window"). Those refusals are correct; every other
schema-valid request that is refused still fails the run.
"""

import json

import schemathesis


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if getattr(failure, "code", None) != "ST202" or response.status_code != 400:
        return True
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return True
    query = case.query or {}
    if error.get("parameter") == "cursor" and "cursor" in query:
        return False
    windowed = any(k in query for k in ("from", "to", "compare"))
    window_rule = error.get("parameter") in ("from", "to", "compare") or "with a time window" in str(
        error.get("message", "")
    )
    return not (windowed and window_rule)
