"""The pack's three files: review.json (everything, for the next --compare), review.csv (a row
per question, with empty reviewer, verdict and comment columns to sign off) and review.html (one
self-contained page: no network, no scripts, prints cleanly to PDF)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from assistant.core.html_page import escaped as _e
from assistant.core.html_page import markdown_html as _markdown
from assistant.core.html_page import page
from assistant.core.prompts import PromptTemplate
from assistant.review.pack import FLAGS

SIGN_OFF = ("reviewer", "verdict", "comment")


def write_pack(data: dict[str, Any], folder: Path, text: PromptTemplate) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "review.json", folder / "review.csv", folder / "review.html"]
    paths[0].write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    paths[1].write_text(to_csv(data, text), encoding="utf-8")
    paths[2].write_text(to_html(data, text), encoding="utf-8")
    return paths


def to_csv(data: dict[str, Any], text: PromptTemplate) -> str:
    extra = list(dict.fromkeys(key for item in data["items"] for key in item["extra"]))
    columns = ["number", *extra, "question", "question_type", "answer", "abstained", "sources", "flags", *SIGN_OFF]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for item in data["items"]:
        row = {key: item["extra"].get(key, "") for key in extra}
        row.update(
            number=item["number"],
            question=item["question"],
            question_type=item["question_type"],
            answer=item["answer"],
            abstained="yes" if item["abstained"] else "no",
            sources=" | ".join(_where(c) for c in item["citations"]),
            flags="; ".join(text.render(f"flag_{flag}") for flag in item["flags"]),
        )
        writer.writerow(row)
    return out.getvalue()


def _where(citation: dict[str, Any]) -> str:
    parts = [f"[{citation['n']}] {citation['title']}", citation["section"]]
    if citation["page"]:
        parts.append(f"p. {citation['page']}")
    if citation["label"]:
        parts.append(citation["label"])
    return ", ".join(part for part in parts if part)


def to_html(data: dict[str, Any], text: PromptTemplate) -> str:
    s = data["summary"]
    title = text.render("title")
    body = [
        f"<h1>{_e(title)}</h1>",
        f"<p class='intro'>{_e(text.render('intro', questions=s['questions'], answered=s['answered'], declined=s['questions'] - s['answered'], created=data['created_at'], backend=data['backend']))}</p>",
        *_summary(data, text),
        *(_changes(data["comparison"], text) if data.get("comparison") else []),
        f"<h2>{_e(text.render('answers_heading'))}</h2>",
        *(_question(item, text) for item in data["items"]),
    ]  # fmt: skip
    return page(title, "\n".join(body), _STYLE)


def _summary(data: dict[str, Any], text: PromptTemplate) -> list[str]:
    s, library = data["summary"], data["library"]
    titles = {source["id"]: source["title"] for source in library["sources"]}
    flags = "".join(
        f"<tr><td>{_e(text.render(f'flag_{flag}'))}</td><td class='n'>{s['flags'][flag]}</td></tr>" for flag in FLAGS
    )
    cited = "".join(
        f"<tr><td>{_e(titles.get(sid, sid))}</td><td class='n'>{count}</td></tr>" for sid, count in s["sources_cited"].items()
    )
    unanswered = ", ".join(f"<a href='#q{n}'>{n}</a>" for n in s["unanswered"]) or "—"
    sources = "".join(
        f"<tr><td>{_e(src['title'])}</td><td>{_e(src['publisher'] if src['in_manifest'] else 'local document')}</td>"
        f"<td>{_e(src['date'] or '—')}</td><td class='n'>{src['chunks']}</td><td class='hash'>{_e(src['sha256'][:12])}</td></tr>"
        for src in library["sources"]
    )
    return [
        f"<h2>{_e(text.render('summary_heading'))}</h2>",
        f"<h3>{_e(text.render('flags_heading'))}</h3><table>{flags}</table>",
        f"<h3>{_e(text.render('sources_heading'))}</h3><table>{cited or '<tr><td>—</td></tr>'}</table>",
        f"<h3>{_e(text.render('unanswered_heading'))}</h3><p>{unanswered}</p>",
        f"<h3>{_e(text.render('library_heading'))}</h3>",
        f"<p>{_e(text.render('library_line', generation=library['generation'], created=library['created_at'], version=data['assistant_version']))}</p>",
        f"<table><tr><th>Source</th><th>Publisher</th><th>Date</th><th>Passages</th><th>SHA-256</th></tr>{sources}</table>",
    ]  # fmt: skip


def _changes(comparison: dict[str, Any], text: PromptTemplate) -> list[str]:
    library = comparison["library"]
    lines = [
        f"<h2>{_e(text.render('changes_heading', previous=comparison['previous_created_at']))}</h2>",
        f"<p>{_e(text.render('library_changes', added=', '.join(library['added']) or 'none', removed=', '.join(library['removed']) or 'none', changed=', '.join(library['changed']) or 'none'))}</p>",
    ]  # fmt: skip
    if not comparison["changes"]:
        lines.append(f"<p>{_e(text.render('no_changes'))}</p>")
    for change in comparison["changes"]:
        lines.append(
            f"<section class='change'><h3><a href='#q{change['number']}'>{change['number']}</a>. "
            f"{_e(change['question'])} <span class='status'>{_e(change['status'])}</span></h3>"
            f"<div class='sides'><div><h4>{_e(text.render('before'))}</h4>{_markdown(change['before']) or '—'}</div>"
            f"<div><h4>{_e(text.render('after'))}</h4>{_markdown(change['after'])}</div></div></section>"
        )
    return lines


def _question(item: dict[str, Any], text: PromptTemplate) -> str:
    flags = "".join(f"<span class='flag'>{_e(text.render(f'flag_{flag}'))}</span>" for flag in item["flags"])
    extra = "".join(f"<span class='extra'>{_e(k)}: {_e(v)}</span>" for k, v in item["extra"].items() if v)
    notices = "".join(f"<blockquote>{_e(notice)}</blockquote>" for notice in item["notices"])
    passages = "".join(
        f"<li><b>[{c['n']}]</b> {_e(_where(c).split('] ', 1)[1])}<blockquote>{_e(c['quote'] or c['passage'])}</blockquote></li>"
        for c in item["citations"]
    )
    return (
        f"<section class='question' id='q{item['number']}'><h3>{item['number']}. {_e(item['question'])}</h3>"
        f"<p class='meta'>{_e(item['question_type'])} {extra} {flags}</p>{notices}"
        f"<div class='answer'>{_markdown(item['answer'])}</div>"
        + (f"<ol class='passages'>{passages}</ol>" if passages else "")
        + f"<p class='signoff'>{_e(text.render('sign_off'))}</p></section>"
    )


_STYLE = """
td.n { text-align: right; } td.hash { font-family: monospace; }
.question, .change { border-top: 1px solid #ccd; padding: .5rem 0 1rem; }
.meta { color: #555; font-size: .9rem; }
.flag { background: #fde9b8; border-radius: .3rem; padding: 0 .4rem; margin-left: .3rem; }
.extra { background: #e6f0f0; border-radius: .3rem; padding: 0 .4rem; margin-left: .3rem; }
.status { font-size: .9rem; color: #8a4b00; }
.passages { font-size: .9rem; } .signoff { color: #777; font-size: .85rem; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media print { .question, .change { break-inside: avoid; } }
"""
