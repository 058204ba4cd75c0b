#!/usr/bin/env python3
"""Drive ProPyCore 0.8.0 against a Procore-like server at $SANDBOX_URL.

Env: SANDBOX_URL, CLIENT_ID, CLIENT_SECRET, COMPANY_ID, PROJECT_ID.
Optional: REDIRECT_URI (default "urn:ietf:wg:oauth:2.0:oob", as ProPyCore's README says);
FAULT_PROBE=429|503: the sandbox refuses the first API call with that status. ProPyCore has no
retry (access/base.py:53 is a bare `requests.get`, :55-58 raise on any non-2xx through
exceptions.py:61-86), so the refusal must come out as its own exception naming the status — printed as
step "refused" — and the same connection's next calls must then succeed.

ProPyCore has no prime-change-order helper, so PCCOs are read with the public
`Base.get_request(api_url, additional_headers, params)` method that every ProPyCore
endpoint object inherits (access/base.py:25), paging the way ProPyCore's own list
helpers do (page += 1 until an empty page). No monkeypatching. Prints JSON lines,
exits non-zero on any failure.
"""
import json
import os
import sys


def out(step, **kw):
    print(json.dumps({"client": "ProPyCore", "step": step, **kw}, default=str), flush=True)


def main() -> int:
    from ProPyCore import Procore

    base = os.environ["SANDBOX_URL"].rstrip("/")
    company_id = int(os.environ["COMPANY_ID"])
    project_id = int(os.environ["PROJECT_ID"])

    # The token is fetched inside the constructor (procore.py:40) from base_url + "/oauth/token"
    # (procore.py:92); oauth_url is stored but never used.
    conn = Procore(client_id=os.environ["CLIENT_ID"], client_secret=os.environ["CLIENT_SECRET"],
                   redirect_uri=os.environ.get("REDIRECT_URI", "urn:ietf:wg:oauth:2.0:oob"),
                   base_url=base, oauth_url=base)
    out("token", obtained=True, note="ProPyCore keeps the token in a private attribute")
    probe = os.environ.get("FAULT_PROBE")
    if probe:
        from ProPyCore.exceptions import ProcoreException
        from driving import expect_refusal
        expect_refusal(conn.companies.get, ProcoreException, probe, out)

    companies = conn.companies.get()                  # GET /rest/v1.0/companies (one page)
    for c in companies:
        out("company", **c)
    projects = conn.projects.get(company_id=company_id)  # GET /rest/v1.1/projects, paged until []
    for p in projects:
        out("project", **p)
    if not companies or not projects:
        raise RuntimeError("empty companies or projects list")

    headers = {"Procore-Company-Id": str(company_id)}
    path = f"/rest/v1.0/projects/{project_id}/prime_change_orders"
    pccos, page = [], 1
    while True:
        batch = conn.companies.get_request(api_url=path, additional_headers=headers,
                                           params={"page": page, "per_page": 1})
        if not isinstance(batch, list):
            raise RuntimeError(f"expected a JSON array, got {type(batch).__name__}")
        if not batch:
            break
        pccos += batch
        page += 1
    for pc in pccos:
        out("pcco", **pc)
    if not pccos:
        raise RuntimeError("no PCCO to show")
    show = conn.companies.get_request(api_url=f"{path}/{pccos[0]['id']}", additional_headers=headers)
    out("pcco_show", **show)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"client": "ProPyCore", "step": "error", "type": type(exc).__name__,
                          "error": str(exc), "response": getattr(exc, "response", None)}),
              file=sys.stderr, flush=True)
        sys.exit(1)
