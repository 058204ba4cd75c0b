#!/usr/bin/env python3
"""Drive pyprocore 2.4.0 against a Procore-like server at $SANDBOX_URL.

Env: SANDBOX_URL, CLIENT_ID, CLIENT_SECRET, COMPANY_ID, PROJECT_ID.
Optional: DRIVE_MODE=client (default: one shared ProcoreClient + in-memory TokenManager,
passed to the service functions) or DRIVE_MODE=facade (the documented `Procore()` object;
every call builds its own ProcoreClient/TokenManager, so with the memory token store each
call fetches a new token). PROCORE_TOKEN_STORE_BACKEND / PROCORE_TOKEN_STORE_PATH are
honoured if set; the default here is the in-memory store so no stale token file is reused.

Uses only public pyprocore API; configuration is through pyprocore's documented PROCORE_*
environment variables (there are no constructor arguments for URLs). Prints JSON lines,
exits non-zero on any failure.
"""
import json
import os
import sys


def out(step, **kw):
    print(json.dumps({"client": "pyprocore", "step": step, **kw}, default=str), flush=True)


def main() -> int:
    base = os.environ["SANDBOX_URL"].rstrip("/")
    company_id = int(os.environ["COMPANY_ID"])
    project_id = int(os.environ["PROJECT_ID"])
    # pyprocore reads its settings only from the environment (core/config.py:141-153).
    os.environ["PROCORE_CLIENT_ID"] = os.environ["CLIENT_ID"]
    os.environ["PROCORE_CLIENT_SECRET"] = os.environ["CLIENT_SECRET"]
    os.environ["PROCORE_LOGIN_URL"] = base
    os.environ["PROCORE_API_BASE"] = base
    os.environ["PROCORE_COMPANY_ID"] = str(company_id)
    os.environ["PROCORE_AUTH_MODE"] = "client_credentials"
    os.environ.setdefault("PROCORE_TOKEN_STORE_BACKEND", "memory")

    import pyprocore
    from pyprocore.auth import TokenManager
    from pyprocore.core import ProcoreClient
    from pyprocore.services import (get_prime_change_order, list_companies, list_prime_change_orders,
                                    list_projects)

    mode = os.environ.get("DRIVE_MODE", "client")
    if mode == "client":
        tm = TokenManager()
        client = ProcoreClient(token_manager=tm)
        token = tm.get_access_token()
        out("token", access_token=token)
        companies = list_companies(client=client)
        projects = list_projects(company_id, client=client)
        pccos = list_prime_change_orders(company_id, project_id, client=client, per_page=1)
        show = (get_prime_change_order(company_id, project_id, pccos[0].id, client=client)
                if pccos else None)
    elif mode == "facade":
        token = TokenManager().get_access_token()
        out("token", access_token=token)
        p = pyprocore.Procore()
        companies = p.companies.list()
        projects = p.projects.list(company_id=company_id)
        pccos = p.prime_change_orders.list(project_id, company_id, per_page=1)
        show = p.prime_change_orders.get(project_id, pccos[0].id, company_id) if pccos else None
    else:
        raise SystemExit(f"unknown DRIVE_MODE {mode}")

    for c in companies:
        out("company", **c.model_dump())
    for pr in projects:
        out("project", **pr.model_dump())
    for pc in pccos:
        out("pcco", **pc.model_dump())
    if show is None:
        raise RuntimeError("no PCCO to show")
    out("pcco_show", **show.model_dump())
    if not companies or not projects:
        raise RuntimeError("empty companies or projects list")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"client": "pyprocore", "step": "error", "type": type(exc).__name__, "error": str(exc)}),
              file=sys.stderr, flush=True)
        sys.exit(1)
