# Schemathesis hooks for TestSchemathesis (infra/contract/schemathesis_test.go).
#
# The test seeds a group with members, a role, channels and a category, then runs
# `st run openapi.yaml` with SCHEMATHESIS_HOOKS=circles_hooks and
# CIRCLES_FUZZ_SEED pointing at a JSON file:
#
#   {"tokens": {"alice": "<jwt>", ...},    # the users requests are sent as
#    "groups": [{"groupID": "g-fuzz-1",     # the seeded groups, each with
#                "roleID": [...],           # its roles, channels
#                "channelID": [...],        # and categories
#                "categoryID": [...]}, ...],
#    "userIDs": ["alice", ...],             # users with a profile
#    "errorCodes": ["CONFLICT", ...]}       # openapi.yaml's ErrorCode
#
# before_call sends each case as one of the users (owner, admin, member,
# outsider, app admin; a few with an invalid token) and, for most cases, swaps its generated path
# parameters for real ones, so that requests reach existing resources and
# not only 404s. The header X-Fuzz-User names the user in failure reports.
#
# error_envelope is a check of our own: every response of 400 or more must
# carry {"error": {"code", "errCode", "message", "requestId"}}, with a code
# from openapi.yaml's ErrorCode (its schema is checked by
# response_schema_conformance too, but only for statuses openapi.yaml
# declares for the operation; this holds for every status).
#
# after_call counts the requests by operation and status for the test's
# summary (CIRCLES_FUZZ_STATS).
import atexit
import itertools
import json
import os
import random
import threading
import zlib

import schemathesis

with open(os.environ["CIRCLES_FUZZ_SEED"], encoding="utf-8") as f:
    _SEED = json.load(f)
_USERS = sorted(_SEED["tokens"])
_GROUPS = _SEED["groups"]
_USER_IDS = _SEED["userIDs"]
# Share of cases whose path parameters are swapped for seeded IDs.
_REAL_IDS = 0.8
# Share of cases sent with an invalid token.
_BAD_TOKEN = 0.03


_CALLS = itertools.count()


def _rng(case):
    # The case's content and a call counter: cases with equal content (an
    # operation without parameters) still go as different users.
    key = repr((next(_CALLS), case.method, case.path, sorted((case.path_parameters or {}).items()),
                sorted((case.query or {}).items()), case.body))
    return random.Random(zlib.crc32(key.encode("utf-8", "backslashreplace")))


@schemathesis.hook
def before_call(context, case, **kwargs):
    rng = _rng(case)
    headers = dict(case.headers or {})
    for k in [k for k in headers if k.lower() == "authorization"]:
        del headers[k]
    # A few cases go with a token the API must refuse (401, in the envelope).
    # X-Fuzz-User (ignored by the API) names the user in the reproduction
    # Schemathesis prints for a failure, where the token is filtered out.
    if rng.random() < _BAD_TOKEN:
        headers["Authorization"] = "Bearer not-a-valid-token"
        headers["X-Fuzz-User"] = "(invalid token)"
    else:
        user = rng.choice(_USERS)
        headers["Authorization"] = "Bearer " + _SEED["tokens"][user]
        headers["X-Fuzz-User"] = user
    case.headers = headers
    params = case.path_parameters
    if params and rng.random() < _REAL_IDS:
        # DismissGroup ends a group for good: only the last one is given to it.
        dismiss = case.method.upper() == "DELETE" and case.path == "/groups/{groupID}"
        group = _GROUPS[-1] if dismiss else rng.choice(_GROUPS)
        for name in list(params):
            if name == "groupID":
                params[name] = group["groupID"]
            elif name in ("roleID", "channelID", "categoryID"):
                params[name] = rng.choice(group[name])
            elif name == "userID":
                params[name] = rng.choice(_USER_IDS)


_ERROR_CODES = set(_SEED["errorCodes"])


@schemathesis.check
def error_envelope(ctx, response, case):
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} body is not JSON: {response.content[:200]!r}")
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict) or set(body) != {"error"}:
        raise AssertionError(f"{response.status_code} body is not the error envelope: {response.content[:200]!r}")
    missing = [k for k in ("code", "errCode", "message", "requestId") if k not in err]
    if missing:
        raise AssertionError(f"error envelope lacks {missing}: {response.content[:200]!r}")
    if err["code"] not in _ERROR_CODES:
        raise AssertionError(f"error code {err['code']!r} is not in openapi.yaml's ErrorCode")
    if not isinstance(err["errCode"], int):
        raise AssertionError(f"errCode {err['errCode']!r} is not an integer")
    return None


# Requests by operation and status, written to CIRCLES_FUZZ_STATS at exit
# for the test's summary.
_STATS = {}
_STATS_LOCK = threading.Lock()


@schemathesis.hook
def after_call(context, case, response):
    op = f"{case.method.upper()} {case.path}"
    with _STATS_LOCK:
        by_status = _STATS.setdefault(op, {})
        by_status[str(response.status_code)] = by_status.get(str(response.status_code), 0) + 1


@atexit.register
def _write_stats():
    path = os.environ.get("CIRCLES_FUZZ_STATS")
    if path:
        with _STATS_LOCK, open(path, "w", encoding="utf-8") as f:
            json.dump(_STATS, f)
