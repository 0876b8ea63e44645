"""The report: report.json (every figure and per-case row), report.md (for people) and three plots.

Rows name cases by id and never carry question text, so a report holds no planted personal data.
"""

from __future__ import annotations

import json
from pathlib import Path

from evals.pipelines import K_MAX

# (key in the summary, label, higher is better, shown as a percentage)
HEADLINE = (
    ("key_point_quoted", "Key point quoted (in the answer's own sentences)", True, True),
    ("lead_correct", "Lead correct (first sentence is a key point or the guidance's advice)", True, True),
    ("list_complete", "List complete (every item shown, or how many are not)", True, True),
    ("voice_violations", "Voice violations (finding or testimony before the advice)", False, False),
    ("voice_violation_rate", "Voice violations, share of permission and how-to answers", False, True),
    ("details_false_abstention", "False abstention, questions with personal details", False, True),
    ("same_without_details", "Answered as without the personal details", True, True),
    ("followup_subject", "Follow-ups about their own subject (or say it is not covered)", True, True),
    ("type_agreement", "Question type as hand-labelled", True, True),
    ("recall@5", "Retrieval recall@5 (gold span retrieved)", True, True),
    ("mrr", "Retrieval MRR (top 10)", True, False),
    ("correctness", "Cited: a gold span among the cited passages", True, True),
    (
        "citation_validity",
        "Citation validity (markers point at shown passages, quotes verbatim)",
        True,
        True,
    ),
    (
        "citation_recall",
        "Citation recall, ALCE (statements supported by their citations)",
        True,
        True,
    ),
    ("citation_precision", "Citation precision, ALCE (citations needed)", True, True),
    ("abstention", "Abstention on out-of-scope questions", True, True),
    ("false_abstention", "False abstention on answerable questions", False, True),
    ("leaks", "Personal-data values leaked in output", False, False),
    ("prompt_leaks", "Answers quoting the model's instructions", False, False),
    ("forbidden", "Planted canaries in answers", False, False),
    ("passed", "Cases passed (expectation met, nothing leaked)", True, True),
    ("latency_p50", "Latency p50 (ms)", False, False),
    ("latency_p95", "Latency p95 (ms)", False, False),
)


def flat(summary: dict) -> dict[str, float | None]:
    """The headline figures of a summary, by HEADLINE key."""
    values = {key: summary.get(key) for key, *_ in HEADLINE}
    values["recall@5"] = summary["recall_at"][5]
    values["latency_p50"] = summary["latency_ms"]["p50"]
    values["latency_p95"] = summary["latency_ms"]["p95"]
    return values


def comparison(ours: dict, baseline: dict) -> dict[str, dict]:
    a, b = flat(ours), flat(baseline)
    return {
        key: {
            "assistant": a[key],
            "baseline": b[key],
            "ratio": (a[key] / b[key]) if a[key] is not None and b[key] else None,
        }
        for key in a
    }


def write(report: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.json", folder / "report.md"]
    written[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written += _plots(report, folder)
    written[1].write_text(markdown(report, [p.name for p in written[2:]]), encoding="utf-8")
    return written


def markdown(report: dict, plots: list[str]) -> str:
    run = report["run"]
    ours = report["pipelines"]["assistant"]
    base = report["pipelines"].get("baseline")
    lines = [
        f"# Evaluation report: {run['backend']} backend",
        "",
        f"{run['date']}, commit `{run['commit']}`, backend `{run['backend']}`"
        + (
            f" (model `{run['model']}`, at most {run['max_answer_tokens']} tokens an answer)"
            if run.get("model")
            else ""
        )
        + f", prompt {run['prompt_version']}, judge {run['judge']}; sets: {', '.join(run['sets'])}; "
        f"{run['cases']} cases; {run['seconds']:.0f} s on {run['cores']} cores.",
        "",
        "Run it yourself: `"
        + run["command"]
        + "` (see evals/README.md for what each figure means).",
        "",
        "## Headline",
        "",
    ]
    header = (
        "| Figure | Assistant | Baseline | Assistant / baseline |"
        if base
        else "| Figure | Assistant |"
    )
    lines += [header, "|---|---:|---:|---:|" if base else "|---|---:|"]
    compared = report.get("comparison", {})
    for key, label, _, percent in HEADLINE:
        mine = flat(ours["summary"])[key]
        if base:
            theirs = flat(base["summary"])[key]
            ratio = compared[key]["ratio"]
            lines.append(
                f"| {label} | {_fmt(mine, percent)} | {_fmt(theirs, percent)} | "
                f"{'' if ratio is None else f'{ratio:.2f}'} |"
            )
        else:
            lines.append(f"| {label} | {_fmt(mine, percent)} |")
    if base:
        lines += ["", f"Assistant: {ours['description']}", "", f"Baseline: {base['description']}"]
    floors = report["floors"]
    lines += ["", "## Floors (the run fails below them)", "",
              "On the `fast` sets they were measured on (the others are reported, never gated); "
              "validity, leaks, planted text and errors on every case.", ""]
    lines += [
        f"- {f['figure']} {f['rule']}: {_fmt(f['value'], False)} — {'ok' if f['ok'] else '**FAILED**'}"
        for f in floors
    ]
    if run.get("limit"):
        lines.append(f"Not checked: floors apply only to full sets, and this run took at most "
                     f"{run['limit']} cases of each (--limit).")  # fmt: skip
    lines += [
        "",
        "## What the reader sees, by set",
        "",
        "The funnel: the passage holding the answer retrieved (recall@5), cited, its key point "
        "quoted in the answer's sentences, and leading the answer.",
        "",
        _reader_table(ours["by_set"], base["by_set"] if base else None),
        "",
        "## By question type (answerable questions)",
        "",
        _reader_table(ours["by_type"], base["by_type"] if base else None, label="Type"),
    ]
    lines += ["", "## By set", "", _set_table(ours["by_set"], base["by_set"] if base else None)]
    lines += [
        "",
        "## By category (answerable questions)",
        "",
        _category_table(ours["by_category"], base["by_category"] if base else None),
    ]
    lines += ["", "## Adversarial cases by kind (assistant)", ""]
    lines += ["| Kind | Cases | Passed |", "|---|---:|---:|"]
    for kind, summary in ours["by_kind"].items():
        lines.append(f"| {kind} | {summary['cases']} | {_fmt(summary['passed'], True)} |")
    lines += ["", "## Judges against hand labels", "", _agreement(report.get("agreement"))]
    lines += ["", "## Sentence roles against hand labels", "", _roles(report.get("roles"))]
    if report.get("usefulness"):
        lines += ["", "## Usefulness, hand-labelled", "", _usefulness(report["usefulness"])]
    if plots:
        lines += ["", "## Plots", ""] + [f"![{name}]({name})" for name in plots]
    failing = [r for r in ours["cases"] if not r["passed"]]
    lines += ["", f"## Cases the assistant did not pass ({len(failing)})", ""]
    lines += [f"- `{r['case']}` ({r['set']}): {_why(r)}" for r in failing] or ["None."]
    return "\n".join(lines) + "\n"


def _reader_table(ours: dict, base: dict | None, label: str = "Set") -> str:
    lines = [
        f"| {label} | Answerable | Retrieved@5 | Cited | Key point quoted | Lead correct | "
        "List complete | Voice violations | Baseline: quoted / lead |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in ours.items():
        if not s["answerable"]:
            continue
        b = (base or {}).get(name)
        lists = f"{_fmt(s['list_complete'], True)} of {s['list_questions']}" if s["list_questions"] else "—"
        voice = f"{s['voice_violations']} of {s['voice_questions']}" if s["voice_questions"] else "—"
        baseline = f"{_fmt(b['key_point_quoted'], True)} / {_fmt(b['lead_correct'], True)}" if b else ""
        lines.append(
            f"| {name} | {s['answerable']} | {_fmt(s['recall_at'][5], True)} | "
            f"{_fmt(s['correctness'], True)} | {_fmt(s['key_point_quoted'], True)} | "
            f"{_fmt(s['lead_correct'], True)} | {lists} | {voice} | {baseline} |"
        )
    return "\n".join(lines)


def _roles(roles: dict | None) -> str:
    if not roles:
        return "Not measured in this run."
    sets = roles["sets"]
    lines = [
        "Every sentence of the bundled library, labelled by reading it (evals/roles/labels.jsonl), "
        "against the rules of assistant/core/roles.py (`python -m evals.roles.measure`). The rules were "
        "tuned on the dev half only.",
        "",
        "| Role | " + " | ".join(f"{name}: precision / recall (n)" for name in sets) + " |",
        "|---|" + "---:|" * len(sets),
    ]
    for role in sets["all"]["roles"]:
        cells = []
        for scores in sets.values():
            r = scores["roles"][role]
            cells.append(f"{_fmt(r['precision'], True)} / {_fmt(r['recall'], True)} ({r['labelled']})")
        lines.append(f"| {role} | " + " | ".join(cells) + " |")
    for figure, label in (
        ("accuracy", "accuracy"),
        ("reported_recall", "reported (finding or testimony) caught"),
        ("reported_precision", "called reported that are"),
    ):
        lines.append(f"| {label} | " + " | ".join(_fmt(s[figure], True) for s in sets.values()) + " |")
    if roles.get("unmatched"):
        lines += ["", f"{roles['unmatched']} labels match no indexed sentence."]
    return "\n".join(lines)


def _usefulness(usefulness: dict) -> str:
    lines = [
        "Answers rated by reading them (evals/usefulness/labels.yaml): 0 does not answer, 1 the "
        "reader must infer or it is incomplete, 2 direct and correct. Only labels of answers the "
        "assistant still gives word for word count; the rest are listed as out of date.",
        "",
        "| Set | Labels current | Mean | Rated 0 | Rated 1 | Rated 2 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in usefulness["sets"].items():
        lines.append(
            f"| {name} | {s['current']} | {_fmt(s['mean'], False)} | {s['counts'][0]} | "
            f"{s['counts'][1]} | {s['counts'][2]} |"
        )
    if usefulness.get("stale"):
        lines += ["", f"Out of date (the answer changed since it was rated): {', '.join(usefulness['stale'])}."]
    if usefulness.get("judge"):
        j = usefulness["judge"]
        lines += ["", f"Model judge ({j['name']}) against the hand labels: exact agreement "
                  f"{_fmt(j['agreement'], True)}, weighted kappa {j['kappa']:.2f} on {j['items']} answers."]
    return "\n".join(lines)


def _why(row: dict) -> str:
    reasons = []
    if row["error"]:
        reasons.append(f"error: {row['error']}")
    if row["expect"] == "abstain" and not row["abstained"]:
        reasons.append("answered a question the library does not cover")
    if row["expect"] == "answer":
        if row["abstained"]:
            reasons.append("declined an answerable question")
        elif not row.get("key_point_quoted"):
            rank = row.get("gold_rank")
            where = (
                "cited but not quoted" if row.get("correct")
                else f"retrieved at rank {rank}, not cited" if rank
                else "not retrieved in the top 10"
            )  # fmt: skip
            reasons.append(f"no key point quoted ({where})")
        if row.get("voice_violation"):
            reasons.append("finding or testimony before the advice")
        if row.get("list_complete") is False:
            reasons.append("list incomplete")
    if row.get("subject_answered") is False:
        reasons.append("the follow-up's own subject is not what the answer is about")
    for key, what in (
        ("leaked", "personal data leaked"),
        ("forbidden", "canary in answer"),
        ("prompt_leak", "instructions quoted"),
    ):
        if row.get(key):
            reasons.append(what)
    return "; ".join(reasons) or "?"


def _set_table(ours: dict, base: dict | None) -> str:
    lines = [
        "| Set | Cases | Recall@5 | Correct | Abstained (out of scope) | False abstention | Leaks"
        + (" | Baseline recall@5 | Baseline correct |" if base else " |"),
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if base else ""),
    ]
    for name, s in ours.items():
        row = (
            f"| {name} | {s['cases']} | {_fmt(s['recall_at'][5], True)} | {_fmt(s['correctness'], True)} | "
            f"{_fmt(s['abstention'], True)} | {_fmt(s['false_abstention'], True)} | {s['leaks']} |"
        )
        if base:
            b = base[name]
            row += f" {_fmt(b['recall_at'][5], True)} | {_fmt(b['correctness'], True)} |"
        lines.append(row)
    return "\n".join(lines)


def _category_table(ours: dict, base: dict | None) -> str:
    lines = [
        "| Category | Questions | Recall@5 | Correct"
        + (" | Baseline recall@5 | Baseline correct |" if base else " |"),
        "|---|---:|---:|---:|" + ("---:|---:|" if base else ""),
    ]
    for name, s in ours.items():
        if not s["answerable"]:
            continue
        row = f"| {name} | {s['answerable']} | {_fmt(s['recall_at'][5], True)} | {_fmt(s['correctness'], True)} |"
        if base and name in base:
            row += f" {_fmt(base[name]['recall_at'][5], True)} | {_fmt(base[name]['correctness'], True)} |"
        lines.append(row)
    return "\n".join(lines)


def _agreement(agreement: dict | None) -> str:
    if not agreement:
        return "Not measured in this run."
    lines = [
        f"{agreement['items']} hand-labelled sentences (evals/support/claims.yaml; "
        f"{agreement['supported_by_hand']} supported by their passage, the rest not: paraphrases, "
        "summaries, negations, overreach, invented and wrong-passage claims).",
        "",
        "| Judge | Accuracy | Cohen's kappa | Accepts supported | Rejects unsupported |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, j in agreement["judges"].items():
        lines.append(
            f"| {name} | {_fmt(j['accuracy'], True)} | {j['kappa']:.2f} | "
            f"{_fmt(j['accepts_supported'], True)} | {_fmt(j['rejects_unsupported'], True)} |"
        )
    for pair, p in agreement["pairs"].items():
        lines += ["", f"{pair}: agree on {_fmt(p['agreement'], True)} (kappa {p['kappa']:.2f})."]
    if agreement.get("note"):
        lines += ["", agreement["note"]]
    return "\n".join(lines)


def _fmt(value, percent: bool) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or (isinstance(value, int) and not percent):
        return str(int(value))
    return f"{100 * value:.1f}%" if percent else f"{value:,.2f}" if value < 10 else f"{value:,.0f}"


def _plots(report: dict, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    pipelines = report["pipelines"]
    written = []

    figure, axes = plt.subplots(figsize=(6, 4))
    for name, data in pipelines.items():
        ranks = [r.get("gold_rank") for r in data["cases"] if r["expect"] == "answer"]
        curve = (
            [sum(1 for x in ranks if x and x <= k) / len(ranks) for k in range(1, K_MAX + 1)]
            if ranks
            else []
        )
        axes.plot(range(1, len(curve) + 1), curve, marker="o", label=name)
    axes.set(
        xlabel="k (passages retrieved)",
        ylabel="recall@k",
        ylim=(0, 1.02),
        title="Gold evidence among the first k passages",
    )
    axes.grid(alpha=0.3)
    axes.legend()
    written.append(_save(figure, folder / "recall_at_k.png", plt))

    figure, axes = plt.subplots(figsize=(6, 4))
    samples = {
        name: [1000 * r["seconds"] for r in data["cases"]] for name, data in pipelines.items()
    }
    axes.boxplot(list(samples.values()), tick_labels=list(samples), showfliers=True)
    axes.set(ylabel="ms per answer", title="Answer latency")
    axes.set_yscale("log")
    axes.grid(alpha=0.3, axis="y")
    written.append(_save(figure, folder / "latency.png", plt))

    categories = [c for c, s in pipelines["assistant"]["by_category"].items() if s["answerable"]]
    if categories:
        figure, axes = plt.subplots(figsize=(8, 4.5))
        width = 0.8 / len(pipelines)
        for i, (name, data) in enumerate(pipelines.items()):
            values = [data["by_category"].get(c, {}).get("correctness") or 0 for c in categories]
            axes.bar([x + i * width for x in range(len(categories))], values, width, label=name)
        axes.set_xticks(
            [x + width * (len(pipelines) - 1) / 2 for x in range(len(categories))],
            categories,
            rotation=45,
            ha="right",
        )
        axes.set(
            ylabel="correct (gold span cited)", ylim=(0, 1.05), title="Correctness by category"
        )
        axes.legend()
        written.append(_save(figure, folder / "categories.png", plt))
    return written


def _save(figure, path: Path, plt) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
