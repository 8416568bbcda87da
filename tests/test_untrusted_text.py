"""engine.untrusted_text: for ANY string, each medium's form is inert there (hypothesis), and the classic attacks are
shown as visible text."""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from engine.untrusted_text import (
    escape_controls,
    for_csv,
    for_html,
    for_markdown,
    for_terminal,
    for_terminal_line,
    for_xml,
)

# Text as a hostile candidate would write it: any code point (surrogates included, as undecodable file names give
# them), with the interesting characters over-represented.
HOSTILE_CHARS = st.sampled_from(list("\x1b\x07\x9b\x9d\r\n\t\x00\x7f\u202e\u2028[]()<>&|`*_#!=+-@'\"\\:\udc80"))
ANY_TEXT = st.text(st.one_of(st.characters(codec=None), HOSTILE_CHARS), max_size=60)
settings.register_profile("untrusted", max_examples=200, deadline=None)

ATTACKS = {
    "clear screen": "\x1b[2J\x1b[H",
    "overwrite the verdict": "\x1b[1A\x1b[2K  ✓ passed",
    "clipboard write (OSC 52)": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "hidden link (OSC 8)": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "window title": "\x1b]0;owned\x07",
    "8-bit CSI": "\x9b2J",
    "right-to-left override": "exe.\u202ecod.py",
}
UNSAFE_IN_TERMINAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


@settings(settings.get_profile("untrusted"))
@given(ANY_TEXT, st.sampled_from(["", "    "]))
def test_terminal_form_has_no_control_but_newline_and_indents_every_line(text: str, indent: str) -> None:
    safe = for_terminal(text, indent)
    assert not UNSAFE_IN_TERMINAL.search(safe)
    assert all(line.startswith(indent) for line in safe.split("\n")[1:])
    assert safe.count("\n") == text.replace("\r\n", "\n").count("\n")
    assert "\n" not in for_terminal_line(text) and not UNSAFE_IN_TERMINAL.search(for_terminal_line(text))


def test_terminal_attacks_show_as_visible_escapes() -> None:
    for name, attack in ATTACKS.items():
        safe = for_terminal(attack)
        assert "\x1b" not in safe and "\x07" not in safe and "\x9b" not in safe, name
    assert for_terminal(ATTACKS["clear screen"]) == "\\x1b[2J\\x1b[H"
    assert for_terminal(ATTACKS["right-to-left override"]) == "exe.\\u202ecod.py"
    # A forged case line stays under the message it belongs to.
    assert for_terminal("boom\n  ✓ hidden_1 passed", "      ") == "boom\n        ✓ hidden_1 passed"


@settings(settings.get_profile("untrusted"))
@given(ANY_TEXT)
def test_csv_cell_never_starts_a_formula_and_reads_back(text: str) -> None:
    cell = for_csv(text)
    assert cell.lstrip(" \n")[:1] not in set("=+-@\t\r")
    assert "\r" not in cell and "\x00" not in cell
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["id", cell])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["id", cell]


def test_csv_formulas_are_neutralised() -> None:
    assert for_csv('=HYPERLINK("https://evil.example","marks")') == "'=HYPERLINK(\"https://evil.example\",\"marks\")"
    for start in ("+1", "-1+cmd", "@SUM(A1)", "  =1", "\uff1d1"):
        assert for_csv(start).startswith("'"), start
    assert for_csv("\t=1") == "\\t=1" and for_csv("\r=1") == "\\r=1"  # a leading tab or CR shows as an escape
    assert for_csv("alice") == "alice"


@settings(settings.get_profile("untrusted"))
@given(ANY_TEXT)
def test_xml_form_is_always_well_formed(text: str) -> None:
    safe = for_xml(text)
    root = ET.Element("testsuite", name=safe)
    ET.SubElement(root, "failure", message=safe).text = safe
    parsed = ET.fromstring(ET.tostring(root, encoding="unicode"))
    assert parsed.get("name") == safe and parsed[0].text == (safe or None)
    assert not re.search("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]", safe)


@settings(settings.get_profile("untrusted"))
@given(ANY_TEXT)
def test_markdown_form_renders_as_one_plain_paragraph(text: str) -> None:
    safe = for_markdown(text)
    assert "\n" not in safe and "\r" not in safe
    rendered = MarkdownIt("commonmark").enable("table").render("x " + safe)
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", rendered))
    assert tags <= {"p"}, rendered


def test_markdown_cannot_forge_lines_or_links() -> None:
    forged = "bob\n\nTotal: **100 / 100** (passed)\n[grade](javascript:alert(1))<img src=x>"
    rendered = MarkdownIt("commonmark").render(f"# {for_markdown(forged)}\n")
    assert rendered.count("<h1>") == 1 and "<a " not in rendered and "<img" not in rendered
    assert "<strong>" not in rendered and "\\n" in rendered


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@settings(settings.get_profile("untrusted"))
@given(ANY_TEXT)
def test_html_form_has_no_markup_and_unescapes_to_the_text(text: str) -> None:
    safe = for_html(text)
    parser = _Tags()
    parser.feed(f'<p title="{safe}">{safe}</p>')
    assert parser.tags == ["p"]
    assert html.unescape(safe) == escape_controls(text, keep="\n\t")


def test_mock_export_quotes_a_coding_entry_literally() -> None:
    from datetime import UTC, datetime

    from quiz.mock.export import render
    from quiz.mock.scoring import EntryScore, MockReport

    hostile = "ValueError: \x1b[2J</li><img src=x onerror=alert(1)>\n## Overall: 100 [me](https://evil.example)"
    entry = EntryScore(index=0, kind="task", ref="linear", topic="backpropagation", item_type="coding", score=0.0,
                       weight=1.0, seconds=1.0, suggested_seconds=60, status="runtime_error", detail=hostile,
                       diagnoses=[hostile])
    report = MockReport(id="m1", preset="p", title="t", started_at=datetime(2025, 1, 1, tzinfo=UTC), seed=1,
                        timed_out=False, overall=0.0, sections={}, topics={}, entries=[entry], strengths=[],
                        weakest=[], time_used_seconds=1.0, time_allowed_seconds=60)
    md = render(report, "md")
    rendered = MarkdownIt("commonmark").render(md)
    assert "\x1b" not in md and "<img" not in rendered and "<a " not in rendered
    assert not [line for line in md.splitlines() if line.startswith("## Overall")]
    page = render(report, "html")
    parser = _Tags()
    parser.feed(page)
    assert "img" not in parser.tags and "\x1b" not in page
