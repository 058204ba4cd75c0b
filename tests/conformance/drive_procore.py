#!/usr/bin/env python3
"""Drive procore 0.1.0 (PyPI `procore`, fylein/procore-sdk-py) against the sandbox at $SANDBOX_URL.

Env: SANDBOX_URL, CLIENT_ID, CLIENT_SECRET, COMPANY_ID, REFRESH_TOKEN.
This client knows only the refresh_token grant, and offers companies and projects; it has no
prime change order API and no public way to make other calls, so only those are driven (no
patching). Its base_url carries the version prefix ("/rest/v1.0"), as its README shows.
FAULT_PROBE=429|503: the sandbox refuses the first API call with that status. procore has no retry
(apis/api_base.py:54 is a bare `requests.get`; :60-83 raise on anything but 200), so the refusal must
come out as its own exception naming the status — printed as step "refused" — and the same
connection's next calls must then succeed.
Prints JSON lines; exits non-zero on any failure.
"""
import json
import os
import sys


def out(step, **kw):
    print(json.dumps({"client": "procore", "step": step, **kw}, default=str), flush=True)


def main() -> int:
    from procore import Procore

    base = os.environ["SANDBOX_URL"].rstrip("/")
    company_id = int(os.environ["COMPANY_ID"])
    conn = Procore(login_url=base, base_url=base + "/rest/v1.0",
                   client_id=os.environ["CLIENT_ID"], client_secret=os.environ["CLIENT_SECRET"],
                   refresh_token=os.environ["REFRESH_TOKEN"])
    out("token", obtained=bool(conn.access_token))
    probe = os.environ.get("FAULT_PROBE")
    if probe:
        from procore.exceptions import ProcoreError
        from driving import expect_refusal
        expect_refusal(conn.companies.get, ProcoreError, probe, out)
    companies = conn.companies.get()
    for c in companies:
        out("company", **c)
    projects = conn.projects.get(company_id=company_id)
    for p in projects:
        out("project", **p)
    if not companies or not projects:
        raise RuntimeError("empty companies or projects list")
    if not any(c.get("id") == company_id for c in companies):
        raise RuntimeError(f"company {company_id} is not among {companies}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"client": "procore", "step": "error", "type": type(exc).__name__, "error": str(exc)}),
              file=sys.stderr, flush=True)
        sys.exit(1)
