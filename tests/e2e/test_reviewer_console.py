"""The reviewer console in a real browser (Debian's chromium, driven by Playwright) against `python -m localrun`.

A storefront's buyers escalate a few cases and both sides submit evidence over the API; then a reviewer signs in
with the dev-token button, works the queue, opens the oldest case, sees the buyer's photo, and overrides the
recommendation with a partial refund, meeting the API's validation errors and a stale version on the way.
On a second storefront, a reviewer follows remedies being carried out in the fulfilment queue and settles a
returned parcel the seller reports damaged. A reviewer whose browser prefers Chinese works in zh-CN: finds a case
by its order id, claims and accepts it with the keyboard, and no English is left on any page it sees.

Screenshots go to a temporary folder; `make console-screenshots` writes them to docs/ instead.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from playwright.sync_api import (
    BrowserContext,
    FloatRect,
    Locator,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.conftest import eventually
from tests.e2e.conftest import POLICIES, Service, running_service
from tests.e2e.console_scenario import (
    RETURNS_SHOP,
    SELLER,
    SELLER_ID,
    SENIOR,
    Scenario,
    conceded_refund,
    contested_defect,
    counterfeit_claim,
    parcel_never_arrived,
    penalised_earlier_case,
    return_on_its_way,
    return_received_damaged,
    token,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
DEV_REVIEWER = "dev-reviewer"  # the sub the dev-token button signs in as

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reviewer-console")]  # one runtime and one browser


@pytest.fixture(scope="module")
def console_service() -> Iterator[Service]:
    """A fresh local runtime on real-time deadlines: nothing the test waits on can time out underneath it,
    except the windows a storefront's own policy in tests/policies makes short."""
    with running_service(1, without=("DISPUTES_DEV_JWT_SECRET",), extra={"POLICY_DIR": str(POLICIES)}) as running:
        yield running


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """One Playwright for the module's browsers (its sync API cannot run twice at once)."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`) to run the console test")
    with sync_playwright() as running:
        yield running


@contextmanager
def chromium(playwright: Playwright, locale: str, timezone: str) -> Iterator[BrowserContext]:
    """Debian's Chromium with a fresh profile, in the user's language and time zone."""
    with tempfile.TemporaryDirectory(prefix="console-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--lang={locale}"],
            headless=True,
            viewport=DESKTOP,
            locale=locale,
            timezone_id=timezone,
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[BrowserContext]:
    with chromium(playwright, "en-US", "UTC") as context:
        yield context


@pytest.fixture(scope="module")
def chinese_browser(playwright: Playwright) -> Iterator[BrowserContext]:
    """A second Chromium whose user prefers Chinese (navigator.languages zh-CN), in Shanghai's time zone."""
    with chromium(playwright, "zh-CN", "Asia/Shanghai") as context:
        yield context


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_reviewer_overrides_the_oldest_case_with_a_partial_refund(
    console_service: Service, browser: BrowserContext, screenshots: Path
) -> None:
    # Given an earlier case that left the seller 4 penalty points, and three cases waiting for a reviewer
    scenario = Scenario(console_service.url)
    earlier = penalised_earlier_case(scenario)
    plate = contested_defect(scenario)
    tokyo = parcel_never_arrived(scenario)
    watch = counterfeit_claim(scenario)
    plate_buyer = token("buyer", "buyer-plate")
    plate_messages = f"{console_service.url}/v1/disputes/{plate}/messages"
    wrote = requests.post(
        plate_messages,
        json={"text": "Could someone look at my photo of the crack?", "audience": "everyone"},
        headers=plate_buyer,
        timeout=10,
    )
    assert wrote.status_code == 201, wrote.text

    page = browser.new_page()
    problems: list[str] = []
    refused: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on(
        "response", lambda response: refused.append(f"{response.status} {response.url}") if not response.ok else None
    )

    # When a reviewer opens the console and signs in with the keyboard alone, through the dev-token button
    page.goto(f"{console_service.url}/console")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    press_tab_until(page, "dev-token")
    page.keyboard.press("Enter")

    # Then the review queue lists the cases oldest due first, with amounts in each currency's own units
    rows = page.locator("tr[data-case-id]")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("rows => rows.map(row => row.dataset.caseId)") == [plate, tokyo, watch]
    expect(rows.nth(0)).to_contain_text("CN¥129.00")
    expect(rows.nth(1)).to_contain_text("¥4,800")
    expect(rows.nth(2)).to_contain_text("$89.99")
    expect(rows.nth(0)).to_contain_text("On time")
    expect(page.locator("#who")).to_contain_text(DEV_REVIEWER)
    page.select_option("#filter-reason", "counterfeit")
    expect(rows).to_have_count(1)
    page.select_option("#filter-reason", "")
    expect(rows).to_have_count(3)
    page.screenshot(path=screenshots / "console-queue.png")
    on_a_phone(page, screenshots / "console-narrow-queue.png")
    page.get_by_role("link", name="Senior").click()
    expect(page.get_by_role("heading", name="Senior queue")).to_be_visible()
    expect(page.locator(".empty")).to_have_text("Nothing is waiting in the senior queue.")
    page.get_by_role("link", name="Review", exact=True).click()

    # When the reviewer opens the oldest case
    rows.nth(0).get_by_role("link").click()
    expect(page.locator(f".case[data-case-id='{plate}']")).to_be_visible()

    # Then both sides' evidence shows: the buyer's photo really loaded, the seller's tracking as fields
    photo = page.locator(".party-buyer figure img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert photo.evaluate("img => img.naturalWidth") == 480
    expect(page.locator(".party-seller")).to_contain_text("SF1234567890")
    expect(page.locator(".party-seller")).to_contain_text("We pack every plate in foam")
    expect(page.locator(".party-buyer")).to_contain_text("The plate arrived cracked in two places.")
    # and the recommendation with the rules that fired, the seller's record, the timeline
    expect(page.locator(".rules").first).to_contain_text("quality_claim_contested")
    expect(page.locator("#live-points")).to_contain_text("4 live points")
    expect(page.locator("#penalty-history a[title='" + earlier + "']")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Evidence added")
    page.screenshot(path=screenshots / "console-case.png", full_page=True)

    # When the reviewer reads the buyer's message and writes an internal note, only reviewers read
    thread = page.locator("#messages")
    expect(thread.locator("li[data-audience='everyone']")).to_contain_text("Could someone look at my photo")
    expect(thread.locator("li[data-audience='everyone'] .badge")).to_have_text("Everyone")
    thread.get_by_label("To", exact=True).select_option("platform")
    thread.get_by_label("Message", exact=True).fill("Tracking says delivered intact: ask about the packing first.")
    thread.get_by_role("button", name="Post the message").click()

    # Then it shows in the thread with its internal badge and its author, and the buyer never reads it
    expect(page.locator("#flash")).to_contain_text("Message posted (Internal note)")
    note = page.locator("#message-thread li[data-audience='platform']")
    expect(note).to_contain_text("Tracking says delivered intact")
    expect(note.locator(".badge")).to_have_text("Internal note")
    expect(note).to_contain_text(f"Reviewer {DEV_REVIEWER}")
    buyer_reads = requests.get(plate_messages, headers=plate_buyer, timeout=10).json()["items"]
    assert [message["text"] for message in buyer_reads] == ["Could someone look at my photo of the crack?"]

    # When the reviewer claims it and overrides: a partial refund, first without a reason, then too much
    # (the refund-only request is recommended as a refund alone: one line, nothing goes back)
    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".claim .badge")).to_have_text("Claimed by you")
    page.get_by_text("Override the recommendation").click()
    form = page.locator("#override-form")
    form.get_by_label("Outcome").select_option("refund_partial")
    amount = form.locator("[data-field='compensation[0].amount']")
    # at 1280 px every control of a compensation line is wide enough to read ("Seller", "Buyer", the amount)
    widths = form.locator(".line-compensation select, .line-compensation input").evaluate_all(
        "controls => controls.map(control => control.getBoundingClientRect().width)"
    )
    assert len(widths) == 4 and min(widths) >= 110, widths
    amount.fill("200.00")
    form.get_by_role("button", name="Issue ruling").click()

    # Then the API's errors appear next to the field they are about
    reason = form.locator("[data-field='override_reason']")
    expect(form.locator("[data-error-for='override_reason']")).to_contain_text("departs from the recommendation")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    reason.fill("The photo shows the crack, but tracking shows the parcel arrived intact: half the price back.")
    form.get_by_role("button", name="Issue ruling").click()
    expect(form.locator("[data-error-for='compensation']")).to_contain_text(
        "(CN¥200.00) exceeds the order total (CN¥137.00)"
    )
    on_a_phone(page, screenshots / "console-narrow.png", scroll_to=form.locator("fieldset[data-field='compensation']"))

    # When the case changes meanwhile (from another tab: a question to the seller, who answers at once),
    # the stale page is told so and reloaded, the draft kept
    case_url = f"{console_service.url}/v1/disputes/{plate}"
    asked = requests.post(
        f"{case_url}/info-requests",
        json={"parties": ["seller"], "message": "Please send the packing photo."},
        headers=token("reviewer", DEV_REVIEWER, "platform"),
        timeout=10,
    )
    assert asked.status_code == 201, asked.text
    answered = requests.post(f"{case_url}/submit", headers=SELLER, timeout=10)
    assert answered.status_code == 202, answered.text
    eventually(
        lambda: requests.get(case_url, headers=SELLER, timeout=10).json(),
        lambda case: (case["open_window"] or {}).get("kind") == "review",
    )
    amount.fill("64.50")
    form.get_by_role("button", name="Issue ruling").click()
    expect(page.locator("#flash")).to_contain_text("changed while you had it open")
    expect(page.locator("[data-field='compensation[0].amount']")).to_have_value("64.50")

    expect(page.locator("[data-field='override_reason']")).to_have_value(re.compile("^The photo shows the crack"))
    page.locator("#override-form").get_by_role("button", name="Issue ruling").click()

    # Then the ruling is issued, and the API shows the case ruled with the reviewer's partial refund
    expect(page.locator("#flash")).to_contain_text("Ruling issued")
    expect(page.locator("#case-badges")).to_contain_text("Ruled")
    ruled = scenario.call("GET", f"/v1/disputes/{plate}", SENIOR).json()
    assert ruled["status"] == "ruled"
    assert ruled["ruling"]["outcome"] == "refund_partial"
    assert ruled["ruling"]["decided_by"] == DEV_REVIEWER
    assert [line["amount"] for line in ruled["ruling"]["compensation"]] == [6_450]
    assert ruled["ruling"]["override_reason"].startswith("The photo shows the crack")
    # and the dashboard counts what waits now, drawn by the page itself
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("[data-figure='queue'] .tile-value")).to_have_text("2")
    expect(page.locator("svg.chart rect.bar-closed").first).to_be_attached()
    # and nothing failed in the page but the three refusals the reviewer saw (two 422s, one 409)
    ruling_url = f"{console_service.url}/v1/disputes/{plate}/ruling"
    assert refused == [f"422 {ruling_url}", f"422 {ruling_url}", f"409 {ruling_url}"]
    assert [text for text in problems if not text.startswith("Failed to load resource")] == []


def test_a_reviewer_follows_the_fulfilment_queue_and_settles_a_return_received_damaged(
    console_service: Service, browser: BrowserContext, screenshots: Path
) -> None:
    # Given a storefront whose refund step lasts 20 s (half of it before the reminder): a conceded kettle whose
    # refund the storefront has not reported, and a teapot ruled return-and-refund that the buyer shipped back
    scenario = Scenario(console_service.url, shop=RETURNS_SHOP)
    kettle = conceded_refund(scenario)
    teapot = return_on_its_way(scenario)

    page = browser.new_page()
    problems: list[str] = []
    refused: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on(
        "response", lambda response: refused.append(f"{response.status} {response.url}") if not response.ok else None
    )
    page.goto(f"{console_service.url}/console")
    page.get_by_role("button", name="Mint a dev token and sign in").click()
    expect(page.locator("#who")).to_contain_text(DEV_REVIEWER)

    # When the reviewer opens the fulfilment queue
    page.get_by_role("link", name="Fulfilment").click()
    expect(page.get_by_role("heading", name="Fulfilment queue")).to_be_visible()

    # Then it lists the remedies being carried out, oldest due first: the step, who must act, what is owed
    kettle_row = page.locator(f"tr[data-case-id='{kettle}']")
    teapot_row = page.locator(f"tr[data-case-id='{teapot}']")
    expect(teapot_row).to_contain_text("Return receipt")
    listed = page.locator("tr[data-case-id]").evaluate_all("rows => rows.map(row => row.dataset.caseId)")
    assert [case_id for case_id in listed if case_id in (kettle, teapot)] == [kettle, teapot]
    for text in ("then refund", "Seller", SELLER_ID, "CN¥137.00", "On time"):
        expect(teapot_row).to_contain_text(text)
    for text in ("Refund", "Storefront", RETURNS_SHOP, "CN¥129.00"):
        expect(kettle_row).to_contain_text(text)
    assert page.locator("#filter-status").count() == 0  # one status only: fulfilling

    # When the reviewer opens the teapot: its steps so far, the current one highlighted with its deadline
    teapot_row.get_by_role("link").click()
    steps = page.locator("#fulfilment-steps")
    shipped = steps.locator("li[data-step='return_shipment']")
    for text in ("Done", "Buyer (buyer-teapot)", "Shipped with SF Express, tracking number SF9876543210."):
        expect(shipped).to_contain_text(text)
    current = steps.locator("li[aria-current='step']")
    expect(current).to_have_attribute("data-step", "return_receipt")
    expect(current.locator("[data-due]")).to_have_attribute("data-due", "on-time")
    expect(steps.locator("li.step-next[data-step='refund']")).to_contain_text("Storefront (console-returns)")
    expect(page.locator("#case-badges")).to_contain_text("Fulfilling")

    # When the seller (elsewhere) photographs the returned teapot and reports it damaged
    return_received_damaged(scenario, teapot)

    # Then it waits in the review queue, marked as a disputed receipt, and its page offers that decision alone
    page.get_by_role("link", name="← Back to the queue").click()
    page.get_by_role("link", name="Review", exact=True).click()
    review_row = page.locator(f"tr[data-case-id='{teapot}']")
    expect(review_row).to_contain_text("Disputed receipt")
    review_row.get_by_role("link").click()
    form = page.locator("#receipt-form")
    expect(form).to_be_visible()
    expect(page.locator("#override-form")).to_have_count(0)
    expect(page.locator("#reported-condition")).to_have_text("Damaged")
    reported = page.locator("#receipt-evidence img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=reported.element_handle())
    assert reported.evaluate("img => img.naturalWidth") == 160
    expect(steps.locator("li[data-step='return_receipt']")).to_contain_text("Received damaged.")
    expect(steps.locator("li[data-step='return_receipt']")).to_contain_text("The spout is chipped")
    expect(page.locator("#receipt-review-notice")).to_contain_text("reported the return receipt as damaged")

    # When the reviewer reduces the refund too far
    form.get_by_label("Refund reduced").check()
    amount = form.locator("[data-field='owed']")
    amount.fill("20.00")
    form.get_by_label("Notes to both parties").fill("The spout chipped in transit; the buyer packed it loosely.")
    form.get_by_role("button", name="Record the decision").click()

    # Then the bounds (the case states them; the API would refuse the amount too) show next to the amount, in yuan
    expect(form.locator("[data-error-for='owed']")).to_contain_text("at least CN¥68.50 and at most CN¥137.00")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_be_focused()
    expect(form).to_contain_text("A reduced refund is between CN¥68.50 and CN¥137.00.")
    top, bottom = page.evaluate(
        """() => [document.querySelector(".case-grid"), document.getElementById("receipt-form")]
            .map((element, index) => element.getBoundingClientRect()[index ? "bottom" : "top"] + window.scrollY)"""
    )
    clip: FloatRect = {"x": 0, "y": top - 12, "width": DESKTOP["width"], "height": bottom - top + 24}
    page.screenshot(path=screenshots / "console-receipt.png", full_page=True, clip=clip)  # the panel and the form
    on_a_phone(page, None, scroll_to=amount)

    # When the reviewer asks for a reduction within them
    amount.fill("100.00")
    form.get_by_role("button", name="Record the decision").click()

    # Then the refund step is open for the storefront, for what the reviewer decided
    expect(page.locator("#flash")).to_contain_text("CN¥100.00 is still owed")
    refund = steps.locator("li[aria-current='step']")
    expect(refund).to_have_attribute("data-step", "refund")
    expect(refund).to_contain_text("Storefront (console-returns)")
    expect(page.locator("#section-fulfilment + dl")).to_contain_text("CN¥100.00")
    decided = scenario.case(teapot)
    assert (decided["status"], decided["fulfilment"]["step"], decided["fulfilment"]["owed"]) == (
        "fulfilling",
        "refund",
        10_000,
    )

    # and in the fulfilment queue, the kettle's refund is due soon once the storefront has been reminded
    page.get_by_role("link", name="← Back to the queue").click()
    expect(teapot_row).to_have_attribute("data-step", "refund")
    refresh_until(page, kettle_row.locator("[data-due='due-soon']"))
    on_a_phone(page, None)

    # When the kettle's refund window passes unreported, the platform refunds the buyer ...
    eventually(lambda: scenario.case(kettle), lambda case: case["status"] == "closed", timeout=30, interval=0.25)
    # ... and the teapot's page shows the seller's recovery ledger beside its penalty record
    teapot_row.get_by_role("link").click()
    expect(page.locator("#ledger-outstanding")).to_contain_text("CN¥129.00 outstanding")
    expect(page.locator(f"#recovery-ledger a[title='{kettle}']")).to_be_visible()
    expect(page.locator(f"#penalty-history a[title='{kettle}']")).to_be_visible()  # points for the missed refund
    # and the closed cases list the kettle, conceded, filtered on the API by who decided and the outcome
    page.get_by_role("link", name="← Back to the queue").click()
    page.get_by_role("link", name="Closed", exact=True).click()
    expect(page.get_by_role("heading", name="Closed cases")).to_be_visible()
    closed_kettle = page.locator(f"tr[data-case-id='{kettle}']")
    expect(closed_kettle).to_contain_text("The parties agreed")
    page.select_option("#filter-decided-by", "parties")
    expect(closed_kettle).to_be_visible()
    page.select_option("#filter-outcome", "claim_denied")
    expect(page.locator(".empty")).to_have_text("No case matches these filters.")
    page.select_option("#filter-outcome", "")
    page.select_option("#filter-decided-by", "")
    # and nothing failed in the page: the too-small amount never left it (the case states the bounds)
    assert refused == []
    assert [text for text in problems if not text.startswith("Failed to load resource")] == []


def refresh_until(page: Page, wanted: Locator, attempts: int = 40) -> None:
    """Press the queue's Refresh button until `wanted` shows up (at most `attempts` times, 0.25 s apart)."""
    for _ in range(attempts):
        page.get_by_role("button", name="Refresh").click()
        expect(page.locator(".queue-body tr[data-case-id]").first).to_be_visible()
        if wanted.count():
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{wanted} never appeared in the queue")


def on_a_phone(page: Page, path: Path | None, scroll_to: Locator | None = None) -> None:
    """A screenshot at 390x844 (when `path` is given), then back to the desktop size; nothing may overflow."""
    page.set_viewport_size(PHONE)
    try:
        if scroll_to is not None:
            scroll_to.scroll_into_view_if_needed()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        if path is not None:
            page.screenshot(path=path)
    finally:
        page.set_viewport_size(DESKTOP)


def press_tab_until(page: Page, element_id: str, limit: int = 20) -> None:
    """Keyboard only: Tab through the page until the element has focus (fails if it is never reached)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_the_console_shows_money_deadlines_and_error_paths_as_a_reviewer_reads_them(
    console_service: Service, browser: BrowserContext
) -> None:
    """The page's own helpers, run in the browser that runs the console (there is no Node here)."""
    page = browser.new_page()
    page.goto(f"{console_service.url}/console")
    seen = page.evaluate(
        """async () => {
            const format = await import("./console/format.js");
            const forms = await import("./console/forms.js");
            const now = Date.parse("2026-11-23T12:00:00Z");
            const waiting = (opened, due) => ({ opened_at: opened, due_at: due });
            return {
                yen: format.money(4800, "JPY"),
                yuan: format.money(12900, "CNY"),
                dinar: format.money(1234, "BHD"),
                parsed: [["64.5", "CNY"], ["4800", "JPY"], ["1.5", "JPY"], ["12.345", "CNY"], ["ten", "CNY"]]
                    .map(([text, currency]) => format.parseMajor(text, currency)),
                onTime: format.sla(waiting("2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"), now).state,
                dueSoon: format.sla(waiting("2026-11-22T12:00:00Z", "2026-11-23T17:00:00Z"), now).state,
                breached: format.sla(waiting("2026-11-22T00:00:00Z", "2026-11-23T11:59:00Z"), now).state,
                // A fulfilment step: due soon once its party was reminded (remind_at), else in its last quarter
                steps: [
                    { ...waiting("2026-11-20T12:00:00Z", "2026-11-23T12:00:00Z") },
                    { ...waiting("2026-11-20T12:00:00Z", "2026-11-24T12:00:00Z"), remind_at: "2026-11-23T12:00:00Z" },
                    { ...waiting("2026-11-20T12:00:00Z", "2026-11-24T12:00:00Z"), remind_at: "2026-11-23T13:00:00Z" },
                    waiting("2026-11-23T00:00:00Z", "2026-11-23T14:00:00Z"),
                ].map((step) => [format.stepDue(step, now).state, format.stepDue(step, now).label]),
                paths: ["compensation.0.amount", "compensation[1].payee", "penalties.2", "override_reason"]
                    .map(forms.normalizePath),
            };
        }"""
    )
    assert (seen["yen"], seen["yuan"], seen["dinar"]) == ("¥4,800", "CN¥129.00", "BHD\u00a01.234")
    assert seen["parsed"][:2] == [{"minor": 6450}, {"minor": 4800}]
    assert [sorted(problem) for problem in seen["parsed"][2:]] == [["problem"], ["problem"], ["problem"]]
    assert (seen["onTime"], seen["dueSoon"], seen["breached"]) == ("on-time", "due-soon", "breached")
    overdue, reminded, not_yet, last_quarter = seen["steps"]
    assert (overdue, reminded, not_yet) == (["overdue", "Overdue"], ["due-soon", "Due soon"], ["on-time", "On time"])
    assert last_quarter == ["due-soon", "Due soon"]
    assert seen["paths"] == ["compensation[0].amount", "compensation[1].payee", "penalties[2]", "override_reason"]


# Words of the Latin alphabet allowed on a Chinese page: identifiers (dsp_..., buyer-zh, order-zh-1),
# currency codes, and whatever a person or the API wrote (.api-text) or a code shows (<code>, <kbd>).
ENGLISH_LEFT = """() => {
    const skip = ".api-text, code, kbd, script, style, noscript, [lang='en']";
    const strip = (text) => text
        .replace(/[A-Za-z0-9]+(?:[-_.:@/#…][A-Za-z0-9]+)+/g, " ")
        .replace(/\\b[A-Z]{3}\\b/g, " ");
    const found = [];
    const check = (text, where) => {
        for (const word of strip(text).match(/[A-Za-z]{3,}/g) || []) found.push(`${word} in ${where}: ${text.trim()}`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        if (!parent || parent.closest(skip) || parent.closest("select") || !parent.getClientRects().length) continue;
        check(walker.currentNode.textContent, parent.tagName);
    }
    for (const element of document.querySelectorAll("[aria-label], [placeholder], [title], option")) {
        if (element.closest(skip) || (!element.getClientRects().length && element.tagName !== "OPTION")) continue;
        if (element.tagName === "OPTION" && !element.closest("select").getClientRects().length) continue;
        for (const name of ["aria-label", "placeholder"]) {
            if (element.hasAttribute(name)) check(element.getAttribute(name), name);
        }
        if (element.tagName === "OPTION") check(element.textContent, "option");
    }
    check(document.title, "title");
    return found;
}"""


def english_left(page: Page) -> list[str]:
    found: list[str] = page.evaluate(ENGLISH_LEFT)
    return found


def test_a_chinese_reviewer_finds_a_case_by_order_id_and_decides_it_with_the_keyboard(
    console_service: Service, chinese_browser: BrowserContext, screenshots: Path
) -> None:
    # Given a case waiting for a reviewer on its own storefront, with an order id of its own
    scenario = Scenario(console_service.url, shop="console-zh")
    buyer = token("buyer", "buyer-zh", "console-zh")
    case_id = scenario.escalate("zh-teapot", "buyer-zh", "茶壶收到时壶嘴有裂纹。", order_id="order-zh-7731")
    scenario.submit(case_id, token("seller", SELLER_ID, "console-zh"))
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.submit(case_id, buyer)
    recommended = scenario.wait_for_window(case_id, "review")["recommendation"]["ruling"]["outcome"]
    assert recommended == "claim_denied"  # no photo of the defect: the rules would deny it, a person decides

    page = chinese_browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    # When a reviewer whose browser prefers Chinese opens the console, it speaks Chinese from the first page
    page.goto(f"{console_service.url}/console")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
    assert english_left(page) == []
    page.get_by_role("button", name="签发开发令牌并登录").click()
    expect(page.locator("#who")).to_contain_text("审核员")
    expect(page.get_by_role("heading", name="审核队列")).to_be_visible()
    assert english_left(page) == []
    page.screenshot(path=screenshots / "console-queue-zh.png")

    # When the reviewer searches the order id, then the one case of that order is listed
    page.fill("#search-input", "order-zh-7731")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="查找案件")).to_be_visible()
    rows = page.locator("tr[data-case-id]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-case-id", case_id)
    expect(rows.first).to_contain_text("质量问题")
    assert english_left(page) == []
    page.screenshot(path=screenshots / "console-search-zh.png")

    # When the reviewer works with the keyboard: j to the case, Enter to open it, c to claim it
    page.locator("#search-input").blur()
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator(f".case[data-case-id='{case_id}']")).to_be_visible()
    page.keyboard.press("c")
    expect(page.locator(".claim .badge")).to_have_text("已由你领取")

    # Then ? lists the shortcuts in Chinese, and keys typed into a field stay in the field
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("键盘快捷键")
    expect(help_dialog).to_contain_text("采纳系统建议")
    assert english_left(page) == []
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("i")
    question = page.locator("#info-details textarea")
    expect(question).to_be_focused()
    page.keyboard.type("oa?")
    expect(question).to_have_value("oa?")
    expect(page.locator("#override-details")).not_to_have_attribute("open", "")
    expect(help_dialog).to_be_hidden()
    question.fill("")
    question.blur()
    assert english_left(page) == []
    page.screenshot(path=screenshots / "console-case-zh.png", full_page=True)

    # When the reviewer presses a, the recommendation is accepted
    page.keyboard.press("a")
    expect(page.locator("#flash")).to_contain_text("已采纳系统建议")
    expect(page.locator("#case-badges")).to_contain_text("已裁决")
    ruled = scenario.case(case_id)
    assert (ruled["status"], ruled["ruling"]["decided_by"]) == ("ruled", DEV_REVIEWER)
    assert ruled["ruling"]["outcome"] == recommended
    assert english_left(page) == []

    # When the appeal window passes (the test clock), the denied claim closes: nothing is owed
    scenario.advance(case_id, "appeal")
    scenario.wait(case_id, lambda case: case["status"] == "closed")

    # Then the dashboard, in Chinese too, counts it among the closed cases
    page.get_by_role("link", name="数据看板").click()
    expect(page.locator("[data-figure='closed'] .tile-value")).not_to_have_text("0")
    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()
    assert english_left(page) == []
    page.screenshot(path=screenshots / "console-dashboard-zh.png", full_page=True)

    # When the reviewer switches to English, the choice is remembered over a reload; and back
    page.locator("#locale-switch").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.screenshot(path=screenshots / "console-dashboard.png", full_page=True)
    page.locator("#locale-switch").click()
    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()

    # And a link with a malformed escape falls back to the queue instead of failing the page
    page.goto(f"{console_service.url}/console#/case/%E0%A4%A")
    expect(page.get_by_role("heading", name="审核队列")).to_be_visible()

    # And a refused filter says what is wrong in Chinese first, with the API's reason beside it
    page.goto(f"{console_service.url}/console#/queue/closed")
    page.locator("[name='closed_from']").fill("2026-12-05")
    page.locator("[name='closed_to']").fill("2026-12-03")
    expect(page.locator(".panel-error")).to_contain_text("部分填写内容无效")
    expect(page.locator(".panel-error")).to_contain_text("closed_from")
    assert problems == []
