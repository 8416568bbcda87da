"""A mock report as Markdown, JSON, or one self-contained HTML file a candidate can send to a mentor."""

from __future__ import annotations

from engine.untrusted_text import for_html, for_markdown
from questions.schema import TOPICS
from quiz.mock.judging import WEIGHTING
from quiz.mock.scoring import EntryScore, MockReport

FORMATS = ("md", "json", "html")


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def to_markdown(report: MockReport) -> str:
    lines = [
        f"# Mock interview: {report.title}",
        "",
        f"Started {report.started_at:%Y-%m-%d %H:%M} UTC · seed {report.seed} · "
        f"time used {_mmss(report.time_used_seconds)} of {_mmss(report.time_allowed_seconds)}"
        + (" · time ran out" if report.timed_out else ""),
        "",
        f"**Overall: {report.overall:.0f} / 100**",
        "",
        WEIGHTING,
        "",
        "| section | score |",
        "|---|---|",
        *[f"| {name} | {score:.0f} |" for name, score in report.sections.items()],
        "",
        "## By topic",
        "",
        "| topic | score |",
        "|---|---|",
        *[f"| {TOPICS.get(topic, topic)} | {score:.0f} |" for topic, score in report.topics.items()],
        "",
        "## Questions",
        "",
        "| # | question | type | result | time (suggested) |",
        "|---|---|---|---|---|",
    ]
    for e in report.entries:
        lines.append(
            f"| {e.index + 1} | {_cell(first_line(e))} | {e.item_type} | {e.status} ({e.score * 100:.0f}%) | "
            f"{_mmss(e.seconds)} ({_mmss(e.suggested_seconds)}) |"
        )
    lines += ["", "## Answers", ""]
    for e in report.entries:
        lines += [f"### {e.index + 1}. {first_line(e)}", "", _quote(e.question or e.ref), ""]
        lines += [f"- **Your answer:** {_inline(e.your_answer) or '(none)'}"]
        if e.correct_answer:
            lines += [f"- **Correct answer:** {_inline(e.correct_answer)}"]
        lines += [f"- **Result:** {e.status} ({e.score * 100:.0f}%)" + (f" — {_inline(e.detail)}" if e.detail else "")]
        if e.explanation:
            lines += ["", _quote(e.explanation)]
        lines += [""]
    coding = [e for e in report.entries if e.kind == "task"]
    if coding:
        lines += ["", "## Coding", ""]
        for e in coding:
            lines.append(f"- **{e.ref}**: {e.status}, {e.score * 100:.0f}/100. {for_markdown(e.detail)}")
            lines.extend(f"  - {for_markdown(d)}" for d in e.diagnoses)  # they quote the candidate's code
    lines += ["", "## Strengths", ""]
    lines += [f"- {s}" for s in report.strengths] or ["- none yet: no topic reached 80%"]
    lines += ["", "## Weakest topics", ""]
    lines += [f"- **{w.title}** ({w.score:.0f}): {w.advice}" for w in report.weakest] or ["- none"]
    return "\n".join(lines) + "\n"


def first_line(e: EntryScore, width: int = 60) -> str:
    """A short title for an entry: the first line of its question (or its id)."""
    text = (e.question or e.ref).strip().splitlines()[0] if (e.question or e.ref).strip() else e.ref
    return text if len(text) <= width else text[: width - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def _inline(text: str) -> str:
    """Text typed or produced during the mock (answers, a coding entry's detail) as one line of literal Markdown."""
    return for_markdown(" ".join(text.split()))


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def to_json(report: MockReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


STYLE = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d232b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d5dae1}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;border-bottom:1px solid #e4e8ee;text-align:left}
.score{font-size:2.2rem;font-weight:700}.bar{background:#e4e8ee;height:.6rem;border-radius:.3rem}
.bar>span{display:block;height:100%;border-radius:.3rem;background:#2f7d4f}.low>span{background:#b3412e}
.muted{color:#5b6675}pre{white-space:pre-wrap;font-family:inherit}
"""


def _bar(score: float) -> str:
    cls = "bar low" if score < 60 else "bar"
    return f'<div class="{cls}"><span style="width:{max(0.0, min(score, 100.0)):.0f}%"></span></div>'


def to_html(report: MockReport) -> str:
    e = for_html  # details and diagnoses quote the candidate's code: controls escaped too
    rows_sections = "".join(
        f"<tr><td>{e(k)}</td><td>{v:.0f}</td><td>{_bar(v)}</td></tr>" for k, v in report.sections.items()
    )
    rows_topics = "".join(
        f"<tr><td>{e(TOPICS.get(k, k))}</td><td>{v:.0f}</td><td>{_bar(v)}</td></tr>" for k, v in report.topics.items()
    )
    rows_entries = "".join(
        f"<tr><td>{x.index + 1}</td><td>{e(first_line(x))}</td><td>{e(x.item_type)}</td><td>{e(x.status)} "
        f"({x.score * 100:.0f}%)</td><td>{_mmss(x.seconds)} "
        f"<span class=muted>({_mmss(x.suggested_seconds)})</span></td></tr>"
        for x in report.entries
    )
    coding = "".join(
        f"<li><b>{e(x.ref)}</b>: {e(x.status)}, {x.score * 100:.0f}/100. {e(x.detail)}"
        + ("<ul>" + "".join(f"<li>{e(d)}</li>" for d in x.diagnoses) + "</ul>" if x.diagnoses else "")
        + "</li>"
        for x in report.entries
        if x.kind == "task"
    )
    answers = "".join(
        f"<h3>{x.index + 1}. {e(first_line(x))}</h3><pre>{e(x.question or x.ref)}</pre><ul>"
        f"<li><b>Your answer:</b> {e(x.your_answer) or '(none)'}</li>"
        + (f"<li><b>Correct answer:</b> {e(x.correct_answer)}</li>" if x.correct_answer else "")
        + f"<li><b>Result:</b> {e(x.status)} ({x.score * 100:.0f}%){' — ' + e(x.detail) if x.detail else ''}</li></ul>"
        + (f"<p class=muted>{e(x.explanation)}</p>" if x.explanation else "")
        for x in report.entries
    )
    strengths = "".join(f"<li>{e(s)}</li>" for s in report.strengths) or "<li>none yet: no topic reached 80%</li>"
    weakest = "".join(f"<li><b>{e(w.title)}</b> ({w.score:.0f}): {e(w.advice)}</li>" for w in report.weakest)
    ran_out = " · time ran out" if report.timed_out else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mock interview: {e(report.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body>
<h1>Mock interview: {e(report.title)}</h1>
<p class="muted">Started {report.started_at:%Y-%m-%d %H:%M} UTC · seed {report.seed} · time used
{_mmss(report.time_used_seconds)} of {_mmss(report.time_allowed_seconds)}{ran_out}</p>
<p class="score">{report.overall:.0f} / 100</p>
<p class="muted">{e(WEIGHTING)}</p>
<h2>Sections</h2><table>{rows_sections}</table>
<h2>By topic</h2><table>{rows_topics}</table>
<h2>Questions</h2><table><tr><th>#</th><th>question</th><th>type</th><th>result</th><th>time (suggested)</th></tr>
{rows_entries}</table>
<h2>Answers</h2>{answers}
{"<h2>Coding</h2><ul>" + coding + "</ul>" if coding else ""}
<h2>Strengths</h2><ul>{strengths}</ul>
<h2>Weakest topics</h2><ul>{weakest or "<li>none</li>"}</ul>
<p class="muted">Generated by nnprep.</p>
</body></html>
"""


def render(report: MockReport, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(report)
    if fmt == "json":
        return to_json(report)
    if fmt == "html":
        return to_html(report)
    raise ValueError(f"unknown report format {fmt!r}")
