"""Fixtures for the browser tests: a real hub and a real agent (the `tieline` executable, each its
own process on loopback), a sample Sage company, and headless Chromium driven by Selenium.

Nothing is downloaded: Chromium and chromedriver are Debian's (/usr/bin), and Selenium is told
where both are and to stay offline.
"""
import os
import re
import shutil
import subprocess
import tempfile
import threading

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIELINE = os.environ.get("TIELINE_BIN", os.path.join(ROOT, ".build", "debug", "tieline"))
SCREENSHOTS = os.environ.get("SCREENSHOTS", os.path.join(ROOT, ".build", "screenshots"))
PASSWORD = "correct horse battery"
AGENT_PASSWORD = "sync client admin"


class Server:
    """A `tieline` process that prints the URL it listens on; stopped with SIGTERM."""

    def __init__(self, args, pattern, env=None):
        self.process = subprocess.Popen([TIELINE] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, text=True, env=env)
        self.lines = []
        self.url = None
        found = threading.Event()

        def read():
            for line in self.process.stdout:
                self.lines.append(line.rstrip())
                match = re.search(pattern, line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        # A bounded wait: the process either prints its URL or exits.
        if not found.wait(120) or self.url is None:
            self.stop()
            raise RuntimeError("%s did not start:\n%s" % (" ".join(args), "\n".join(self.lines)))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def tieline(*args, stdin=None):
    """Runs a `tieline` command and returns its standard output (fails the test on a non-zero exit)."""
    done = subprocess.run([TIELINE] + list(args), input=stdin, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, "tieline %s failed: %s%s" % (" ".join(args), done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="session")
def workdir():
    folder = tempfile.mkdtemp(prefix="tieline-browser-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def company(workdir):
    path = os.path.join(workdir, "company.sqlite")
    tieline("sample-company", "create", "--path", path, "--jobs", "5", "--transactions", "2000", "--seed", "7", "--with-pj")
    return path


@pytest.fixture(scope="session")
def hub(workdir):
    home = os.path.join(workdir, "hub-home")
    database = "sqlite:" + os.path.join(home, "hub.sqlite")
    server = Server(["hub", "serve", "--home", home, "--database", database, "--port", "0"], r"listening on (http://\S+)")
    token = tieline("hub", "sites", "add", "acme", "--home", home, "--database", database).strip().splitlines()[-1]
    tieline("hub", "sites", "add", "globex", "--home", home, "--database", database)
    for site, user, role in [("acme", "ann", "approver"), ("acme", "vic", "viewer"), ("globex", "gus", "approver")]:
        tieline("hub", "users", "add", site, user, "--role", role, "--password-stdin", "--home", home, "--database", database,
                stdin=PASSWORD + "\n")
    server.home = home
    server.database = database
    server.db_path = os.path.join(home, "hub.sqlite")
    server.token = token
    yield server
    server.stop()


@pytest.fixture(scope="session")
def agent(workdir):
    home = os.path.join(workdir, "agent-home")
    server = Server(["agent", "run", "--home", home, "--console", "--console-port", "0", "--interval", "3600"],
                    r"Agent console: (http://\S+)")
    server.home = home
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(0)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def shot(browser):
    """Saves a screenshot of the current page as NN-name.png in the screenshots folder."""
    count = [0]

    def take(name):
        count[0] += 1
        browser.save_screenshot(os.path.join(SCREENSHOTS, "%02d-%s.png" % (count[0], name)))

    return take
