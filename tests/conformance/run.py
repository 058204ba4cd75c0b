#!/usr/bin/env python3
"""Conformance: independent Procore clients from PyPI drive Tieline's Procore sandbox.

Started by scripts/conformance-test (which makes the venvs). Starts `tieline procore-sandbox serve`
on a free loopback port, seeds PCCOs through the sandbox's control endpoint, then runs each
client's drive script unpatched: token, companies, projects, PCCOs paged with per_page=1 (checked on
the pages the sandbox served), one PCCO shown. Then every client meets a 429 and a 503: pyprocore
retries them (pyprocore/core/client.py:31, 256-261) and must finish its run; ProPyCore and procore
have no retry at all, so each must report the refusal as its own exception naming the status, and its
next call must succeed with the sandbox unchanged. Every check prints PASS or FAIL; any FAIL makes
the exit status 1.

Env: TIELINE_BIN, VENVS (folder holding venv-pyprocore, venv-ProPyCore, venv-procore; a missing
venv is reported and fails the run).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_ID, CLIENT_SECRET = "conformance-client", "conformance-secret"
failures = []


def check(name, ok, detail=""):
    print(("PASS  " if ok else "FAIL  ") + name + ("" if ok else f"\n      {detail}"), flush=True)
    if not ok:
        failures.append(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def put(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


SKIPPED = set(os.environ.get("CONFORMANCE_SKIP", "").split())


def drive(client, env, expect_ok=True, label=None):
    python = os.path.join(os.path.abspath(os.environ["VENVS"]), f"venv-{client}", "bin", "python")
    label = label or client
    if client in SKIPPED:
        print(f"SKIP  {label}: its Python is not on this machine", flush=True)
        return None
    if not os.path.exists(python):
        check(f"{label}: installed", False, f"{python} is missing (scripts/conformance-test makes it)")
        return []
    with tempfile.TemporaryDirectory() as cwd:  # pyprocore writes ./logs and reads ./.env
        result = subprocess.run([python, os.path.join(HERE, f"drive_{client}.py")], cwd=cwd, env={**os.environ, **env},
                                capture_output=True, text=True, timeout=300)
    lines = [json.loads(l) for l in result.stdout.splitlines() if l.startswith("{")]
    ok = (result.returncode == 0) == expect_ok
    check(f"{label}: {'runs' if expect_ok else 'reports the failure'} (exit {result.returncode})", ok,
          (result.stderr or result.stdout)[-1500:])
    return lines


def main():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CONFORMANCE_SECRET": CLIENT_SECRET}
    server = subprocess.Popen([os.environ["TIELINE_BIN"], "procore-sandbox", "serve", "--port", str(port), "--seed", "7",
                               "--client-id", CLIENT_ID, "--client-secret-env", "CONFORMANCE_SECRET", "--refresh-tokens"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(200):
            line = server.stdout.readline()
            if "listening" in line:
                break
            if server.poll() is not None:
                raise SystemExit(f"the sandbox did not start: {line}")
        company_id = 4201
        # Three approved PCCOs on one project, so per_page=1 pages three times. The sandbox's projects are made in
        # Procore (none imported from Sage), so the PCCOs stay in Procore: not sent to ERP.
        first = post(base + "/sandbox/pccos", {"number": "901", "send_to_erp": False})["prime_change_order"]
        project_id = first["project_id"]
        for number in ("902", "903"):
            post(base + "/sandbox/pccos", {"number": number, "project_id": project_id, "send_to_erp": False})
        # procore 0.1.0 needs a refresh token to start from (it knows no other grant); each is good once.
        def fresh_refresh():
            return post(base + "/oauth/token", f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}".encode(),
                        "application/x-www-form-urlencoded")["refresh_token"]
        common = {"SANDBOX_URL": base, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                  "COMPANY_ID": str(company_id), "PROJECT_ID": str(project_id), "REFRESH_TOKEN": fresh_refresh()}

        pcco_path = f"/rest/v1.0/projects/{project_id}/prime_change_orders"
        for client in ("pyprocore", "ProPyCore"):
            served_before = len(get(base + "/sandbox/served_pages"))
            lines = drive(client, common)
            if lines is None:
                continue
            steps = [l["step"] for l in lines]
            check(f"{client}: token, companies, projects", {"token", "company", "project"} <= set(steps), steps)
            check(f"{client}: all three PCCOs through per_page=1 pages", steps.count("pcco") == 3, steps)
            pages = [p for p in get(base + "/sandbox/served_pages")[served_before:] if p["path"] == pcco_path]
            check(f"{client}: the sandbox served PCCO pages 1, 2 and 3 one at a time",
                  {1, 2, 3} <= {p["page"] for p in pages} and all(p["per_page"] == 1 for p in pages), pages)
            shown = [l for l in lines if l["step"] == "pcco_show"]
            check(f"{client}: shows a PCCO with its documented fields",
                  bool(shown) and all(k in shown[0] for k in ("id", "number", "title", "status", "contract_id", "grand_total")),
                  shown)
        lines = drive("procore", common) or []
        check("procore: refresh_token grant, companies, projects", {"token", "company", "project"} <= {l["step"] for l in lines})

        # pyprocore retries 429 and 503 (1 s, then 2 s); a single refusal of each must not fail it.
        for fault, label in (("rate_limit_burst", "429"), ("unavailable_burst", "503")):
            if "pyprocore" in SKIPPED:
                break
            put(base + "/sandbox/faults", {fault: 1, "rate_limit_reset_seconds": 1, "unavailable_retry_after": 1})
            drive("pyprocore", common, label=f"pyprocore through a {label}")
            left = get(base + "/sandbox/faults")[fault]
            check(f"pyprocore met the {label}", left == 0, f"{fault} still {left}")
        # ProPyCore and procore have no retry at all (README: the clients' limits): the honest best is that
        # each reports the refusal as its own exception naming the status, and its next call succeeds.
        for client, needed in (("ProPyCore", {"company", "project", "pcco", "pcco_show"}), ("procore", {"company", "project"})):
            for fault, status in (("rate_limit_burst", 429), ("unavailable_burst", 503)):
                before = get(base + "/sandbox/stats")
                put(base + "/sandbox/faults", {fault: 1, "rate_limit_reset_seconds": 1, "unavailable_retry_after": 1})
                lines = drive(client, {**common, "FAULT_PROBE": str(status), "REFRESH_TOKEN": fresh_refresh()},
                              label=f"{client} given a {status}") or []
                refused = [l for l in lines if l["step"] == "refused"]
                check(f"{client}: reports the {status} as its own exception naming the status",
                      bool(refused) and str(status) in refused[0]["error"], refused or lines)
                steps = [l["step"] for l in lines]
                after_refusal = set(steps[steps.index("refused") + 1:]) if refused else set()
                check(f"{client}: its next calls succeed after the {status}", needed <= after_refusal, steps)
                if client == "ProPyCore":
                    check(f"{client}: still all three PCCOs after the {status}", steps.count("pcco") == 3, steps)
                after = get(base + "/sandbox/stats")
                check(f"{client}: the {status} was met once and the sandbox is unchanged",
                      get(base + "/sandbox/faults")[fault] == 0
                      and all(after[k] == before[k] for k in ("projects", "prime_change_orders", "erp_requests")),
                      (before, after))
        put(base + "/sandbox/faults", {})
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"conformance: {len(failures)} failed" if failures else "conformance: all passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
