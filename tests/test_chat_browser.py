"""The chat in a real browser: Debian's headless Chromium, driven by Playwright, against the real
`assistant chat` server over the session's index (extractive mode).

What a user does, click by click: the page renders with nothing fetched from outside 127.0.0.1;
a starter question gets an answer whose cited passages are listed under it, each opening on its
passage with the quoted words in bold; a question with a name and an NHS number leaves neither on the page and shows the
personal-data notice; a thumbs-down with a reason is stored with the redacted question; the
library view warns where a document is present only through excerpts (and offers no rating). Three
questions in one conversation each list only their own passages; the chat works 390 px wide on a
touch screen with the product's own logo and avatar; presenting and the conversation handout.

Screenshots of each state, at desktop and phone sizes, go to tests/artifacts/chat_browser/ (kept
out of git); on a failure, a screenshot and the page's HTML of the moment go there too.

The browser is /usr/bin/chromium (`make setup-test` installs Debian's package): Playwright's own
browser download does not work offline.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from assistant.chat.feedback import FeedbackStore
from tests.support import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).parent / "artifacts" / "chat_browser"
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

NHS_NUMBER = "943 476 5919"
NAME = "Okafor"
QUESTION = f"Can I paste Mrs {NAME}'s notes, NHS number {NHS_NUMBER}, into ChatGPT?"
COMMENT = "Mrs Jones says this is out of date"

FIRST_ANSWER_MS = 90_000  # the first answer may wait for the index and the model to load
ANSWER_MS = 30_000
STEP_MS = 15_000
_LOCAL_SCHEMES = {"data", "blob", "about"}


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

    def __init__(self, page, clear: bool = True) -> None:
        self.page = page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*") if clear else ():
            if old.suffix in (".png", ".html"):
                old.unlink()

    def take(self, name: str) -> Path:
        """The state at the page's size, and again at a phone's width."""
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        size = self.page.viewport_size
        if size and size["width"] > PHONE["width"]:
            self.page.set_viewport_size(PHONE)
            self.page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"))
            self.page.set_viewport_size(size)
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

    server, feedback_db = chat, chat.feedback_db
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

        # 2. A starter question; the answer carries [n] markers, and its passages are listed
        #    under it, collapsed: Chainlit's side panel is not used (adapter.py says why).
        step = "answer"
        page.click("#starter-case-notes-in-chatgpt")
        answer = page.locator(".ai-message").filter(has=page.locator(".passages")).first
        expect(answer).to_be_visible(timeout=FIRST_ANSWER_MS)
        expect(answer).to_contain_text("Sources cited")
        expect(answer.locator(".passage-marker").first).to_have_text("[1]")
        shots.take("02-answer")

        # 3. [1] opens on its passage, with its source and the quoted words in bold.
        step = "passage"
        answer.locator(".passage").first.locator("button").click()
        passage = answer.locator(".passage-text").first
        expect(passage).to_be_visible(timeout=STEP_MS)
        expect(passage).to_contain_text("Source:")
        bold = passage.locator("strong, span.font-bold").filter(has_not_text=re.compile(r":$"))
        expect(bold.first).to_be_visible()  # the quoted words, not the "Source:" labels
        assert len(bold.first.inner_text().split()) >= 3
        assert page.locator("#side-view-title").count() == 0  # nothing opened by itself
        passage.scroll_into_view_if_needed()
        shots.take("03-passage")

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
        # Nothing to rate: no thumbs under the library (a rating would have no question).
        expect(library.locator(".positive-feedback-off, .negative-feedback-off")).to_have_count(0)
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


THREE_QUESTIONS = (
    "Can I paste case notes into ChatGPT?",
    "Who is accountable for a case record that AI helped me draft?",
    "Should I tell a family that I use an AI tool to transcribe a meeting?",
)


def _ask(page, question: str, answers_before: int):
    """Type the question, press Enter (as a person does), and return its answer's message."""
    from playwright.sync_api import expect

    page.locator("#chat-input").click()
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    answers = page.locator(".ai-message")
    expect(answers).to_have_count(answers_before + 1, timeout=FIRST_ANSWER_MS)
    answer = answers.nth(answers_before)
    expect(answer.locator(".passages, blockquote").first).to_be_visible(timeout=ANSWER_MS)
    return answer


def _open_chat(page, server) -> None:
    from playwright.sync_api import expect

    page.goto(server.url + "/", wait_until="load", timeout=STEP_MS * 2)
    # The settings button appears once the session has opened the index: questions are heard.
    expect(page.locator("#chat-settings-open-modal")).to_be_visible(timeout=FIRST_ANSWER_MS)


def _markers(text: str) -> set[str]:
    return set(re.findall(r"\[\d+\]", text))


def test_every_passage_shown_under_an_answer_is_one_that_answer_cites(chat, browser_page):
    """Three questions in one conversation: under each answer, the passages listed are exactly the
    ones its markers cite, each holding the words the answer quotes from it; nothing from an
    earlier answer is shown as this one's, and no panel opens by itself."""
    server = chat
    page, requested = browser_page
    shots = Shots(page, clear=False)
    step = "three questions"
    try:
        _open_chat(page, server)
        for number, question in enumerate(THREE_QUESTIONS):
            step = f"question {number + 1}"
            answer = _ask(page, question, number)
            passages = answer.locator(".passage")
            shown = [marker.strip() for marker in answer.locator(".passage-marker").all_inner_texts()]
            body = answer.inner_text().split("Passages cited")[0]
            assert shown and len(shown) == passages.count() == len(set(shown))
            assert set(shown) == _markers(body), (question, shown, body)
            for index in range(passages.count()):
                passages.nth(index).locator("button").click()
                text = passages.nth(index).locator(".passage-text").inner_text()
                quoted = passages.nth(index).locator("strong, span.font-bold").filter(
                    has_not_text=re.compile(r":$")
                ).all_inner_texts()
                assert quoted, (question, shown[index])
                # The bold words are in this answer's own text: the passage is the one it quotes.
                flat_body = " ".join(body.split())
                assert any(" ".join(q.split())[:40] in flat_body for q in quoted), (shown[index], quoted)
                assert "Source:" in text
            assert page.locator("#side-view-title").count() == 0
            answer.scroll_into_view_if_needed()
            shots.take(f"07-conversation-answer-{number + 1}")
        assert page.locator(".ai-message").nth(0).locator(".passage").count() > 0  # still its own
        assert not _leaving_loopback(requested), _leaving_loopback(requested)
    except BaseException:
        shots.failed(step.replace(" ", "-"))
        raise


def test_the_chat_works_on_a_phone_sized_screen(chat, browser_page):
    """390 px wide, touch: Enter sends, the answer fits the width, its passages can be reached
    and read; the page shows the product's own logo and avatar, and the server logs no warning."""
    from playwright.sync_api import expect

    server = chat
    page, _requested = browser_page
    page.set_viewport_size(PHONE)
    shots = Shots(page, clear=False)
    step = "phone"
    try:
        _open_chat(page, server)
        logo = page.locator("img[src*='/logo']").first
        expect(logo).to_be_visible(timeout=STEP_MS)
        shots.take("08-phone-start")
        answer = _ask(page, THREE_QUESTIONS[0], 0)
        expect(answer).to_contain_text("Sources cited")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways: {width} px"
        box = answer.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        first = answer.locator(".passage").first
        first.locator("button").click()
        text = first.locator(".passage-text")
        text.scroll_into_view_if_needed()
        expect(text).to_be_in_viewport(timeout=STEP_MS)
        expect(text).to_contain_text("Source:")
        shots.take("09-phone-passage")
        avatar = page.locator(".ai-message img").first
        expect(avatar).to_have_attribute("src", re.compile(r"/avatars/"))
    except BaseException:
        shots.failed(step)
        raise
    for path, kind in (("/logo?theme=light", "image/svg"), ("/avatars/guidance_assistant", "image/svg"),
                       ("/favicon", "image/svg")):  # fmt: skip
        response = httpx.get(server.url + path, timeout=10)
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
        assert "Guidance Assistant" in response.text  # ours, not Chainlit's
    log = server.stop()
    assert "Missing custom logo" not in log and "WARNING" not in log, log


def test_an_educator_presents_and_exports_the_conversation_as_a_handout(chat, browser_page):
    """Presenting (chat settings): larger type and each answer's passages open under it; the
    conversation export gives a Markdown file and an HTML handout holding every answer."""
    import base64

    from playwright.sync_api import expect

    server = chat
    page, requested = browser_page
    shots = Shots(page, clear=False)
    step = "presenting"
    try:
        _open_chat(page, server)
        page.click("#chat-settings-open-modal")
        page.locator("#presenting").click()
        expect(page.locator("#presenting")).to_have_attribute("aria-checked", "true")
        page.locator("#confirm").click()
        first = _ask(page, THREE_QUESTIONS[0], 0)
        second = _ask(page, THREE_QUESTIONS[1], 1)
        for answer in (first, second):  # open without a click
            expect(answer.locator(".passage-text").first).to_be_visible(timeout=STEP_MS)
        size = float(second.evaluate("node => getComputedStyle(node).fontSize").rstrip("px"))
        assert size >= 20, f"presenting text is {size} px"
        second.scroll_into_view_if_needed()
        shots.take("10-presenting")

        step = "export conversation"
        second.get_by_role("button", name="Export conversation").click()
        links = second.locator("a[download], a[href^='data:']")
        expect(links).to_have_count(2, timeout=STEP_MS)
        files = {}
        for index in range(2):
            href = links.nth(index).get_attribute("href")
            mime, payload = href.split(";base64,", 1)
            files["html" if "text/html" in mime else "md"] = base64.b64decode(payload).decode("utf-8")
        assert set(files) == {"md", "html"}
        for question in THREE_QUESTIONS[:2]:
            assert question in files["md"] and question.split("?")[0] in files["html"]
        assert files["html"].startswith("<!DOCTYPE html>") and "<script" not in files["html"]
        handout = page.context.new_page()
        handout.set_content(files["html"])
        handout.screenshot(path=str(ARTIFACTS / "11-conversation-handout.png"), full_page=True)
        handout.close()
        assert not _leaving_loopback(requested), _leaving_loopback(requested)
    except BaseException:
        shots.failed(step.replace(" ", "-"))
        raise
