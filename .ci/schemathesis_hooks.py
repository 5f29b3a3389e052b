"""Schemathesis hooks for .ci/api-fuzz.

One exemption, and only one: a `cursor` is an opaque token the server issued (base64url of the sort
key of a page's last row). No schema can say "issued by this server for this sort and order", so a
schema-valid string the server never issued is refused with 400 naming `cursor`. That refusal is
correct; every other schema-valid request that is refused still fails the run.
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
    return not (error.get("parameter") == "cursor" and case.query and "cursor" in case.query)
