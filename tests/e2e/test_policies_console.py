"""The console's policies page in a real browser: a platform admin signs in with the dev-token button, sees the
policy in force, meets a draft's problems beside their field paths, simulates a stricter threshold over cases
the rules decided (a table and a chart), and publishes it as version 1.

The runtime and the browser are those of the reviewer-console test (same fixtures, its own module instance).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import Service
from tests.e2e.console_scenario import Scenario, token
from tests.e2e.test_reviewer_console import browser, console_service, playwright, screenshots  # noqa: F401 - fixtures, reused

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("reviewer-console")]


def ruled_by_default(scenario: Scenario, name: str, amount: int) -> str:
    """The seller and then the buyer let their windows pass (the test clock): the rules rule at once."""
    case_id = scenario.escalate(name, f"buyer-{name}", "It broke.", amount_paid=amount, amount_requested=amount)
    scenario.advance(case_id, "seller_response")
    scenario.advance(case_id, "buyer_rebuttal")
    scenario.wait_for_window(case_id, "appeal")
    return case_id


def test_a_platform_admin_simulates_a_draft_and_publishes_it(
    console_service: Service,  # noqa: F811
    browser: BrowserContext,  # noqa: F811
    screenshots: Path,  # noqa: F811
) -> None:
    # Given a storefront whose two cases the rules ruled automatically, one of 3,000 CNY
    shop = f"policy-shop-{uuid.uuid4().hex[:8]}"
    scenario = Scenario(console_service.url, shop=shop, seller_id="seller-policy")
    large = ruled_by_default(scenario, f"{shop}-large", 300_000)
    ruled_by_default(scenario, f"{shop}-small", 12_900)

    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    # When a platform admin signs in with the dev-token button and opens the storefront
    page.goto(f"{console_service.url}/console")
    page.select_option("#dev-role", "platform_admin")
    page.click("#dev-token")
    expect(page.get_by_role("heading", name="Policies")).to_be_visible()
    page.fill("#policy-storefront", shop)
    page.keyboard.press("Enter")

    # Then the shipped default is in force, with no history
    expect(page.get_by_role("heading", name=f"Policies of {shop}")).to_be_visible()
    expect(page.get_by_text("The shipped default (no version published)")).to_be_visible()

    # When the draft has a bad value, each problem is shown beside its field path and the draft's value
    page.fill("#policy-draft", '{"rules": {"high_amount": {"CNY": -1}, "abusive_buyer_loss_rate": 7}}')
    page.click("#policy-simulate")
    errors = page.locator("#policy-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(page.locator('#policy-errors tr[data-field="document.rules.high_amount.CNY"] td').last).to_have_text("-1")

    # When a stricter threshold is simulated
    page.fill("#policy-draft", '{"rules": {"high_amount": {"CNY": 200000}}}')
    page.click("#policy-simulate")

    # Then the large case alone would go to a reviewer: a row in the table, and the chart's bars
    changes = page.locator("#simulation-changes tbody tr")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text(large)
    expect(changes.first).to_contain_text("Full refund · automatic")
    expect(changes.first).to_contain_text("Full refund · to a reviewer")
    expect(page.locator("#simulation-chart rect")).to_have_count(4)
    label = page.locator("#simulation-chart").get_attribute("aria-label") or ""
    assert "Automatic 2 before, 1 after" in label and "Reviewer 0 before, 1 after" in label
    expect(page.locator("#policy-errors")).to_be_empty()
    page.screenshot(path=str(screenshots / "console-policies.png"), full_page=True)

    # When it is published, it is version 1, in force and in the history
    page.click("#policy-publish")
    expect(page.locator("#policy-history tbody tr")).to_have_count(1)
    expect(page.get_by_text("Version 1", exact=True)).to_be_visible()
    admin = token("platform_admin", "admin-check", "platform")
    shown = scenario.ok("GET", f"/v1/policies/{shop}", admin)
    assert shown["in_force"]["document"] == {"rules": {"high_amount": {"CNY": 200000}}}
    assert shown["in_force"]["created_by"] == "dev-reviewer"  # the dev-token button's subject
    assert not problems, problems
