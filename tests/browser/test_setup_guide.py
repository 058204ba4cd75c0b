"""The setup guide's steps in the agent console, then an approver's Accept in the hub console,
in real headless Chromium. Tests run in file order and share one hub, one agent and one browser.
"""
import datetime
import json
import os
import sqlite3

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import AGENT_PASSWORD, PASSWORD, tieline

# The entities of the guide's step 3, in its words.
STEP3 = ["Contract (CN)", "Contract Change Order (CN)", "Contract Change Order (PJ)", "Contract Change Order Item (CN)",
         "Contract Change Request (PJ)", "Contract Item (CN)", "Customer", "Customer Type", "Invoice (AP)", "Job (CV)",
         "Quick Bill Contract", "Quick Bill Contract Item"]
# Step 4: Transaction (JC)'s field options to clear.
CLEARED = ["Commitment Change Order", "Employee", "Equipment", "Credit Account", "Debit Account"]
# Step 6: after Deselect All, Transaction (JC) and the CN/PJ/Customer/Quick Bill entities, exactly as the guide says
# (no Job (CV): the hub knows a PCCO's job from its contract).
STEP6 = ["Transaction (JC)", "Contract (CN)", "Contract Change Order (CN)", "Contract Change Order (PJ)",
         "Contract Change Order Item (CN)", "Contract Change Request (PJ)", "Contract Item (CN)", "Customer",
         "Quick Bill Contract", "Quick Bill Contract Item"]


def wait(browser, condition, seconds=60):
    """Waits until `condition` holds. Pages that reload themselves (sync progress) can swap the document
    between finding an element and reading it: such a read is simply tried again, never a failure."""
    return WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(condition)


def read(browser, what, seconds=10):
    """What `what(browser)` returns, read again if the page reloaded under it (a falsy value is returned too)."""
    return wait(browser, lambda b: (what(b),), seconds)[0]


def label(browser, text, scope=None):
    """The <label> with exactly this text; clicking it toggles its input, as a person would."""
    root = scope or browser
    return root.find_element(By.XPATH, ".//label[normalize-space(.)=%s]" % json.dumps(text))


def control(browser, text, scope=None):
    """The input a label names (every input has a <label for=…>)."""
    return browser.find_element(By.ID, label(browser, text, scope).get_attribute("for"))


def submit(browser, element):
    """Clicks a submit button and waits for the next page to have loaded."""
    old = browser.find_element(By.TAG_NAME, "html")
    element.click()

    def next_page_loaded(b):
        try:
            old.tag_name
            return False
        except StaleElementReferenceException:
            return b.execute_script("return document.readyState") == "complete"
        except WebDriverException:
            # Chromium answers oddly while it swaps documents; ask again.
            return False

    wait(browser, next_page_loaded)


def notice(browser):
    return browser.find_element(By.CSS_SELECTOR, "p.notice").text


def agent_config(agent):
    with open(os.path.join(agent.home, "agent.json")) as f:
        return json.load(f)


def mirror_count(hub, entity):
    with sqlite3.connect(hub.db_path) as db:
        return db.execute("SELECT COUNT(*) FROM mirror_row WHERE entity_id = (SELECT id FROM mirror_entity WHERE name = ?)",
                          (entity,)).fetchone()[0]


def sage_count(company, sql):
    with sqlite3.connect("file:%s?mode=ro" % company, uri=True) as db:
        return db.execute(sql).fetchone()[0]


def test_01_first_start_sets_the_console_password(browser, agent, shot):
    browser.get(agent.url + "/connect")
    assert browser.current_url.endswith("/setup")
    shot("agent-setup")
    control(browser, "Password (at least 8 characters)").send_keys(AGENT_PASSWORD)
    control(browser, "Type it again").send_keys(AGENT_PASSWORD)
    submit(browser, browser.find_element(By.XPATH, "//button[.='Set password']"))
    assert browser.current_url.endswith("/connect")
    assert "Password set" in notice(browser)
    stored = open(os.path.join(agent.home, "console-password")).read()
    assert stored.startswith("$2b$") and AGENT_PASSWORD not in stored


def test_02_connect(browser, agent, hub, shot):
    """Step 1: Connect (to the cloud)."""
    control(browser, "Hub URL").send_keys(hub.url)
    control(browser, "Site").send_keys("acme")
    control(browser, "Agent token").send_keys(hub.token)
    submit(browser, browser.find_element(By.ID, "connect"))
    assert "Connected" in notice(browser) and "accepts the token" in notice(browser)
    assert hub.token not in browser.page_source
    assert browser.find_element(By.ID, "masked-token").text.endswith(hub.token[-4:])
    shot("agent-connect")
    assert agent_config(agent)["hub"] == {"url": hub.url, "site": "acme"}


def test_03_local_connections(browser, agent, company, shot):
    """Step 2: Local Connections tab (add the Sage company, test it)."""
    browser.find_element(By.LINK_TEXT, "Local Connections").click()
    control(browser, "Name").send_keys("Company")
    control(browser, "Sage company file").send_keys(company)
    submit(browser, browser.find_element(By.ID, "add-connection"))
    assert "Added Local Connection Company" in notice(browser)
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-connection='Company']")
    submit(browser, row.find_element(By.XPATH, ".//button[.='Test']"))
    assert "OK — Sage 300 CRE company" in notice(browser)
    assert "Project Management" not in browser.find_element(By.CLASS_NAME, "facts").text  # the company owns PJ
    shot("agent-connection-test")


def test_04_advanced_mappings_ticks(browser, agent, shot):
    """Steps 2–3: Mappings → Advanced Mappings; tick the guide's entities (nothing was ticked before)."""
    browser.find_element(By.LINK_TEXT, "Local Connections").click()
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-connection='Company']")
    row.find_element(By.LINK_TEXT, "Mappings").click()
    shot("agent-mappings")
    browser.find_element(By.ID, "advanced-mappings").click()
    for name in STEP3 + ["Transaction (JC)"]:
        box = control(browser, name)
        assert not box.is_selected()
        label(browser, name).click()
        assert box.is_selected()
    shot("agent-advanced-mappings-ticked")
    submit(browser, browser.find_element(By.ID, "save"))
    assert notice(browser).startswith("Saved: + Contract (CN)")
    connection = agent_config(agent)["connections"][0]
    assert sorted(connection["mappings"]["enabled"]) == sorted(STEP3 + ["Transaction (JC)"])


def test_05_transaction_options_cleared(browser, agent, shot):
    """Step 4: highlight Transaction (JC) and clear its field options; Save."""
    browser.find_element(By.LINK_TEXT, "Field options of Transaction (JC)").click()
    highlighted = browser.find_element(By.CSS_SELECTOR, "li.highlighted")
    assert "Transaction (JC)" in highlighted.text
    options = browser.find_element(By.ID, "field-options")
    for name in CLEARED:
        box = control(browser, name, options)
        assert box.is_selected()
        label(browser, name, options).click()
        assert not box.is_selected()
    shot("agent-transaction-options")
    submit(browser, browser.find_element(By.ID, "save"))
    assert "Transaction (JC) › Employee (cleared)" in notice(browser)
    connection = agent_config(agent)["connections"][0]
    assert sorted(connection["mappings"]["clearedFields"]["Transaction (JC)"]) == sorted(CLEARED)
    # Nothing previously ticked was removed.
    assert len(connection["mappings"]["enabled"]) == 13


def test_06_sync_settings(browser, agent, shot):
    """Step 5: Sync tab → tick the connection → Settings: Deep, The beginning of time → OK."""
    browser.find_element(By.LINK_TEXT, "Sync").click()
    label(browser, "Company").click()
    browser.find_element(By.LINK_TEXT, "Settings").click()
    label(browser, "Deep").click()
    label(browser, "The beginning of time").click()
    shot("agent-sync-settings")
    submit(browser, browser.find_element(By.ID, "settings-ok"))
    assert "Sync Type: Deep, Timeframe: The beginning of time" in notice(browser)
    assert control(browser, "Company").is_selected()
    settings = agent_config(agent)["connections"][0]["settings"]
    assert settings["type"] == "deep" and "beginningOfTime" in settings["timeframe"]


def test_07_deselect_all_tick_and_sync(browser, agent, hub, company, shot):
    """Step 6: expand the connection, Deselect All, tick Transaction (JC) and the CN/PJ/Customer/Quick Bill entities → Sync."""
    sage_rows_before = sage_count(company, "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION")
    card = browser.find_element(By.ID, "connection-0-card")
    details = card.find_element(By.TAG_NAME, "details")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    card.find_element(By.XPATH, ".//button[.='Deselect All']").click()
    boxes = card.find_elements(By.CSS_SELECTOR, "input[name=entity]")
    assert boxes and not any(box.is_selected() for box in boxes)
    for name in STEP6:
        label(browser, name, card).click()
    shot("agent-sync-ticked")
    submit(browser, browser.find_element(By.ID, "sync"))
    assert "/sync/progress" in browser.current_url
    # The page refreshes itself every second until the sync is over.
    wait(browser, lambda b: "Sync completed" in b.find_element(By.ID, "sync-summary").text
         or "problems" in b.find_element(By.ID, "sync-summary").text, 300)
    shot("agent-sync-finished")
    assert "Sync completed" in read(browser, lambda b: b.find_element(By.ID, "sync-summary").text)
    assert read(browser, lambda b: b.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status")) == "Completed"
    # The hub holds what was ticked, and nothing that was not.
    assert mirror_count(hub, "Transaction (JC)") == sage_count(company, "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION")
    assert mirror_count(hub, "Contract (CN)") == sage_count(company, "SELECT COUNT(*) FROM CNC_ACTIVE__CONTRACT")
    assert mirror_count(hub, "Job (CV)") == 0
    assert mirror_count(hub, "Invoice (AP)") == 0
    # Syncing only reads Sage.
    assert sage_count(company, "SELECT COUNT(*) FROM JCT_CURRENT__TRANSACTION") == sage_rows_before


def sign_in(browser, hub, site, user):
    browser.get(hub.url + "/console/signin")
    control(browser, "Site").send_keys(site)
    control(browser, "User name").send_keys(user)
    control(browser, "Password").send_keys(PASSWORD)
    submit(browser, browser.find_element(By.ID, "sign-in"))
    assert browser.current_url.endswith("/console/dashboard"), browser.page_source


def sign_out(browser):
    submit(browser, browser.find_element(By.XPATH, "//button[.='Sign out']"))


def test_08_hub_dashboard_after_sync(browser, hub, shot):
    browser.get(hub.url + "/console/exports")
    assert browser.current_url.endswith("/console/signin")
    shot("hub-signin")
    sign_in(browser, hub, "acme", "vic")
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
            for r in browser.find_elements(By.CSS_SELECTOR, "#entities tbody tr")}
    assert int(rows["Transaction (JC)"]) > 0 and rows["Invoice (AP)"] == "0"
    assert browser.find_element(By.ID, "throughput-chart").tag_name == "svg"
    shot("hub-dashboard")


def test_09_viewer_sees_ready_to_export_but_cannot_accept(browser, hub, shot):
    queued = tieline("hub", "exports", "receive", "acme", "--home", hub.home, "--database", hub.database)
    assert "Ready to Export (no validation problems)" in queued
    browser.find_element(By.LINK_TEXT, "ERP Integrations").click()
    assert "Ready to Export" in browser.find_element(By.CSS_SELECTOR, "#filters a.current").text
    browser.find_element(By.LINK_TEXT, "007").click()
    assert browser.find_element(By.ID, "export-status").text == "Ready to Export"
    assert not browser.find_elements(By.ID, "accept")
    assert browser.find_element(By.ID, "viewer-note")
    shot("hub-pcco-viewer")
    sign_out(browser)


def test_10_other_sites_see_nothing(browser, hub):
    sign_in(browser, hub, "globex", "gus")
    browser.get(hub.url + "/console/exports?filter=all")
    assert "007" not in browser.find_element(By.ID, "exports").text
    sign_out(browser)


def test_11_approver_accepts(browser, hub, company, shot):
    sign_in(browser, hub, "acme", "ann")
    browser.find_element(By.LINK_TEXT, "ERP Integrations").click()
    shot("hub-ready-to-export")
    browser.find_element(By.LINK_TEXT, "007").click()
    date = control(browser, "Transaction Date")
    assert date.get_attribute("value") == datetime.date.today().isoformat()
    # hh2's default is today; the approver books it to the first of the month instead.
    first = datetime.date.today().replace(day=1)
    browser.execute_script("arguments[0].value = arguments[1]", date, first.isoformat())
    shot("hub-pcco-accept")
    submit(browser, browser.find_element(By.ID, "accept"))
    assert "Accepted PCCO 007 with Transaction Date %s" % first.isoformat() in notice(browser)
    assert browser.find_element(By.ID, "export-status").text in ("Accepted", "Exporting", "Synced")
    audit = browser.find_element(By.ID, "audit").text
    assert "ann accepted transaction date %s" % first.isoformat() in audit
    shot("hub-pcco-accepted")
    # The running agent long-polls the hub, writes the change order into Sage and reports back: Synced.
    def synced(b):
        b.refresh()
        return b.find_element(By.ID, "export-status").text in ("Synced", "Failed to Export")
    wait(browser, synced, 180)
    assert browser.find_element(By.ID, "export-status").text == "Synced", browser.find_element(By.ID, "facts").text
    assert "change order 007 on contract 24-118" in browser.find_element(By.ID, "written").text
    shot("hub-pcco-synced")
    assert sage_count(company, "SELECT COUNT(*) FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = '24-118' AND Change_Order = '007'") == 1
    assert sage_count(company, "SELECT COUNT(*) FROM CNC_ACTIVE__CHANGE_ORDER WHERE Contract = '24-118' AND Change_Order = '007'"
                      " AND Change_Order_Date = '%s'" % first.isoformat()) == 1
    browser.find_element(By.LINK_TEXT, "ERP Integrations").click()
    assert "007" not in browser.find_element(By.ID, "exports").text  # no longer Ready to Export
    browser.find_element(By.LINK_TEXT, "Synced").click()
    assert "Added storm drain" in browser.find_element(By.ID, "exports").text
    shot("hub-synced-list")
