"""The console's two catalogs say the same things, and its modules say nothing outside them.

Parses strings-en.js and strings-zh-CN.js (one `"key": "text",` per line) and every module of
chalicelib/console: both catalogs hold exactly the same keys with the same {placeholders}, every key a
module names exists, every value the API can send has a display name, and no module carries an English
sentence of its own (a heuristic over its string literals, comments stripped).
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

import pytest

from chalicelib.domain import models

CONSOLE = Path(__file__).resolve().parents[2] / "chalicelib" / "console"
ENTRY = re.compile(r'^\s*("(?:[^"\\]|\\.)+")\s*:\s*("(?:[^"\\]|\\.)*"),\s*$')
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CATALOGS = ("strings-en.js", "strings-zh-CN.js")
MODULES = sorted(path for path in CONSOLE.glob("*.js") if path.name not in CATALOGS)


def catalog(name: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in (CONSOLE / name).read_text(encoding="utf-8").splitlines():
        match = ENTRY.match(line)
        if match:
            key, text = json.loads(match.group(1)), json.loads(match.group(2))
            assert key not in entries, f"{name}: {key} twice"
            entries[key] = text
    return entries


EN, ZH = catalog("strings-en.js"), catalog("strings-zh-CN.js")


def source(path: Path) -> str:
    """The module without its comments (so a comment may say anything)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|(?<=[;,{}()\s])//.*$", "", text)


def test_both_catalogs_hold_the_same_keys_with_the_same_placeholders() -> None:
    assert len(EN) > 400
    assert set(EN) == set(ZH)
    for key, text in EN.items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(ZH[key])), key
        assert ZH[key].strip(), key


def test_the_chinese_catalog_is_chinese() -> None:
    untranslated = [key for key, text in ZH.items() if text == EN[key] and re.search(r"[A-Za-z]{3}", text)]
    assert untranslated == ["locale.switch"] or untranslated == [], untranslated


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_every_key_a_module_names_is_in_the_catalogs(path: Path) -> None:
    code = source(path)
    namespaces = {key.split(".")[0] for key in EN}
    literal = {key for key in re.findall(r'"([A-Za-z]+\.[A-Za-z_.]+)"', code) if key.split(".")[0] in namespaces}
    named = literal | set(re.findall(r'\bt\("([^"]+)"', code))  # every t("...") call, whatever its namespace
    assert sorted(key for key in named if key not in EN) == []


def test_every_value_the_api_sends_has_a_display_name() -> None:
    shown = (
        models.Status, models.Resolution, models.ClaimReason, models.RequestType, models.Outcome, models.Liability,
        models.Payee, models.CompensationKind, models.PenaltyKind, models.Party, models.Role, models.WindowKind,
        models.OfferStatus, models.SellerGround, models.ReceiptCondition, models.FulfilmentOutcome, models.StepParty,
    )  # fmt: skip
    values: set[str] = {member.value for kind in shown for member in kind}
    assert all(issubclass(kind, StrEnum) for kind in shown)
    assert sorted(value for value in values if f"enum.{value}" not in EN) == []


def test_every_family_of_built_keys_is_complete() -> None:
    families = {
        "queue.{}.title": ["review", "senior", "fulfilment", "closed"],
        "queue.{}.tab": ["review", "senior", "fulfilment", "closed"],
        "queue.{}.empty": ["review", "senior", "fulfilment", "closed"],
        "queue.{}.caption": ["review", "senior", "fulfilment", "closed", "search"],
        "decider.{}": ["rules", "reviewer", "parties", "none"],
        "search.field.{}": ["order_id", "case_id", "buyer_id", "seller_id"],
        "filter.{}": ["status", "reason", "outcome", "decided_by", "closed_from", "closed_to"],
        "keys.{}": ["next", "previous", "claim", "accept", "override", "info", "help"],
        "fulfilment.outcome.{}": [outcome.value for outcome in models.FulfilmentOutcome],
        "fulfilment.condition.{}": [condition.value for condition in models.ReceiptCondition],
    }
    missing = [pattern.format(value) for pattern, values in families.items() for value in values]
    assert [key for key in missing if key not in EN] == []


# A UI sentence: a capitalised word followed by more words, or words ending in a full stop or colon.
SENTENCE = re.compile(r"^[A-Z][a-z]+[ ,]\S|[a-z]{2,} [a-z]{2,}.*[.:!?]$")
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`')
ALLOWED = {"Bearer ${token()}"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_module_carries_an_english_sentence_of_its_own(path: Path) -> None:
    found = []
    for double, backtick in LITERAL.findall(source(path)):
        text = double or backtick
        plain = re.sub(r"\$\{[^}]*\}", "", text).strip()
        if text not in ALLOWED and SENTENCE.search(plain):
            found.append(text)
    assert found == []


def test_the_page_shell_is_translated_from_the_catalogs() -> None:
    shell = (CONSOLE / "index.html").read_text(encoding="utf-8")
    keys = re.findall(r'data-i18n(?:-label)?="([^"]+)"', shell)
    assert {"app.title", "app.brand", "app.signOut", "app.dashboard"} <= set(keys)
    assert [key for key in keys if key not in EN] == []
