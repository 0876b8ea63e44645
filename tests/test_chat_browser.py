"""The chat in a real browser: Debian's headless Chromium, driven by Playwright, against the real
`assistant chat` server over the session's index (extractive mode).

What a user does, click by click: the page renders with nothing fetched from outside 127.0.0.1;
a starter question gets an answer whose [n] markers open the cited passage with the quoted words
in bold; a question with a name and an NHS number leaves neither on the page and shows the
personal-data notice; a thumbs-down with a reason is stored with the redacted question; the
library view warns where a document is present only through excerpts.

Screenshots of each state go to tests/artifacts/chat_browser/ (kept out of git); on a failure, a
screenshot and the page's HTML of the moment go there too.

The browser is /usr/bin/chromium (`make setup-test` installs Debian's package): Playwright's own
browser download does not work offline.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from assistant.feedback import FeedbackStore
from tests.test_chat_server import ChatServer

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium keeps trying to reach Google's services,
# which this machine's closed network refuses; none of them is needed to render a page.
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
ARTIFACTS = Path(__file__).parent / "artifacts" / "chat_browser"
VIEWPORT = {"width": 1280, "height": 900}

NHS_NUMBER = "943 476 5919"
NAME = "Okafor"
QUESTION = f"Can I paste Mrs {NAME}'s notes, NHS number {NHS_NUMBER}, into ChatGPT?"
COMMENT = "Mrs Jones says this is out of date"

FIRST_ANSWER_MS = 90_000  # the first answer may wait for the index and the model to load
ANSWER_MS = 30_000
STEP_MS = 15_000
_LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture
def chat(tmp_path, library_settings) -> Iterator[tuple[ChatServer, Path]]:
    feedback_db = tmp_path / "feedback.sqlite3"
    server = ChatServer(
        tmp_path / "chat.log",
        "--db",
        str(library_settings.data_dir),
        env={"ASSISTANT_FEEDBACK_DB": str(feedback_db), "ASSISTANT_BACKEND": "extractive"},
    )
    yield server, feedback_db
    server.stop()


@pytest.fixture
def browser_page(tmp_path):
    """A headless Chromium tab with a fresh profile, and every URL the page asked for."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make setup-test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
            locale="en-GB",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.on("websocket", lambda socket: requested.append(socket.url))
            yield page, requested
        finally:
            context.close()


def _leaving_loopback(urls: list[str]) -> list[str]:
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in _LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
    ]


class Shots:
    """Screenshots named by state, and the page as it was when a step failed."""

    def __init__(self, page) -> None:
        self.page = page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*"):
            if old.suffix in (".png", ".html"):
                old.unlink()

    def take(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def failed(self, name: str) -> None:
        try:
            self.page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"))
            (ARTIFACTS / f"FAILED-{name}.html").write_text(self.page.content(), encoding="utf-8")
        except Exception:  # noqa: BLE001 (the test's own failure is the one to report)
            pass


def _wait_until(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def test_a_user_asks_reads_the_passages_and_rates_an_answer_in_a_real_browser(chat, browser_page):
    from playwright.sync_api import expect

    server, feedback_db = chat
    page, requested = browser_page
    shots = Shots(page)
    step = "page loaded"
    try:
        # 1. The page renders offline: starters, the composer, and the chat settings (sent once
        #    the session has opened the index), with no request leaving 127.0.0.1.
        page.goto(server.url + "/", wait_until="load", timeout=STEP_MS * 2)
        expect(page.locator("#starter-case-notes-in-chatgpt")).to_be_visible(timeout=STEP_MS * 2)
        expect(page.locator("#chat-input")).to_be_visible()
        expect(page.locator("#chat-settings-open-modal")).to_be_visible(timeout=FIRST_ANSWER_MS)
        expect(page).to_have_title("Guidance Assistant")
        assert not _leaving_loopback(requested), _leaving_loopback(requested)
        shots.take("01-page-loaded")

        # 2. A starter question; the answer carries [n] markers as links.
        step = "answer"
        page.click("#starter-case-notes-in-chatgpt")
        answer = page.locator(".ai-message").filter(has=page.locator("a.element-link")).first
        expect(answer).to_be_visible(timeout=FIRST_ANSWER_MS)
        marker = answer.locator("a.element-link", has_text=re.compile(r"^\[1\]$")).first
        expect(marker).to_be_visible()
        expect(answer).to_contain_text("Sources cited")
        shots.take("02-answer")

        # 3. [1] opens the side panel on its passage alone. Chainlit 2.12 may have opened the
        #    panel by itself with every passage (its issue #2979): the click must replace that.
        step = "side panel"
        marker.click()
        expect(page.locator("#side-view-title")).to_have_text("[1]", timeout=STEP_MS)
        passage = page.locator("#side-view-content .side-text")
        expect(passage).to_have_count(1, timeout=STEP_MS)
        expect(passage).to_contain_text("Source:")
        bold = passage.locator("span.font-bold").filter(has_not_text=re.compile(r":$"))
        expect(bold.first).to_be_visible()  # the quoted words, not the "Source:" labels
        assert len(bold.first.inner_text().split()) >= 3
        shots.take("03-side-panel")

        # 4. A question with a name and an NHS number: neither stays on the page once the answer
        #    is there (the bubble first shows what was typed; the server's redacted echo replaces
        #    it), and the answer starts with the personal-data notice.
        step = "personal-data notice"
        page.fill("#chat-input", QUESTION)
        page.click("#chat-submit")
        notice_answer = page.locator(".ai-message").filter(has_text="I removed personal details")
        expect(notice_answer).to_have_count(1, timeout=ANSWER_MS)
        _wait_until(
            lambda: NAME not in page.content() and NHS_NUMBER not in page.content(),
            STEP_MS,
            "the question's name and NHS number to leave the page",
        )
        html, text = page.content(), page.locator("body").inner_text()
        for typed in (NAME, NHS_NUMBER, "9434765919"):
            assert typed not in html and typed not in text
        assert "[NHS number]" in text and "[name]" in text  # the redacted echo is shown
        notice = notice_answer.locator("blockquote").first
        expect(notice).to_contain_text("NHS number")
        expect(notice).to_contain_text("nothing you typed was stored")
        notice.scroll_into_view_if_needed()
        shots.take("04-personal-data-notice")

        # 5. Thumbs down, a comment (with a name: stored redacted), then the reason "Outdated".
        step = "feedback"
        notice_answer.locator(".negative-feedback-off").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible(timeout=STEP_MS)
        dialog.locator("textarea").fill(COMMENT)
        page.click("#submit-feedback")
        outdated = notice_answer.get_by_role("button", name="Outdated", exact=True)
        expect(outdated).to_be_visible(timeout=STEP_MS)
        outdated.click()
        expect(page.get_by_text('Thank you: recorded "outdated".')).to_be_visible(timeout=STEP_MS)
        expect(notice_answer.locator(".negative-feedback-on")).to_be_visible()
        shots.take("05-feedback")

        store = FeedbackStore(feedback_db)
        _wait_until(
            lambda: [row.reason for row in store.all()] == ["outdated"],
            STEP_MS,
            "the thumbs-down and its reason in the feedback store",
        )
        (row,) = store.all()
        assert (row.rating, row.reason, row.backend) == ("down", "outdated", "extractive")
        assert "[NHS number]" in row.question and "[name]" in row.question
        assert NAME not in row.question and NHS_NUMBER not in row.question
        assert "Jones" not in row.comment and "out of date" in row.comment
        assert row.cited_chunk_ids and "[1]" in row.answer

        # 6. The library, from its starter in a new session: every source, and a warning where
        #    a design-card document is only present through excerpts.
        step = "library"
        page.goto(server.url + "/", wait_until="load", timeout=STEP_MS * 2)
        page.locator("#starter-the-library").click(timeout=STEP_MS * 2)
        library = page.locator(".ai-message").filter(has_text="The library:")
        expect(library).to_be_visible(timeout=ANSWER_MS)
        expect(library).to_contain_text("Excerpts only.")
        expect(library).to_contain_text("only passages quoted in other documents are indexed")
        library.get_by_text("Excerpts only.").first.scroll_into_view_if_needed()
        shots.take("06-library")

        step = "requests"
        assert not _leaving_loopback(requested), _leaving_loopback(requested)
        assert any(urlsplit(url).path == "/ws/socket.io/" for url in requested)
    except BaseException:
        shots.failed(step.replace(" ", "-"))
        raise

    log = server.stop()
    assert NAME not in log and NHS_NUMBER not in log and "Jones" not in log  # never logged
