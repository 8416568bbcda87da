"""Candidate-controlled text made safe for the medium it is shown in: one function per medium.

Everything a candidate controls is untrusted text: what their code prints, exception messages, file and folder
names, ids, and any report message that quotes them. Shown raw, such text can act instead of being read: terminal
escape sequences clear the screen, move the cursor to overwrite a verdict, write the clipboard (OSC 52) or hide a
link (OSC 8); a newline forges a report line; a leading ``=`` makes a spreadsheet formula; a control character makes
an XML file unreadable; Markdown or HTML markup becomes links and layout. Every output path passes such text through
the function for its medium:

========== =================================================================================================
terminal   ``for_terminal``: C0/C1 controls, ESC, DEL, lone surrogates and bidirectional/line-separator
           characters shown as visible escapes (``\\x1b``); tabs expanded; each further line indented
Textual    ``quiz.tui.safe_text`` builds plain ``Content`` from ``for_terminal`` (never parsed as markup)
CSV        ``for_csv``: controls escaped; a cell that would start a formula (= + - @, tab, CR) gets a quote
XML        ``for_xml``: only characters XML 1.0 allows; the rest shown as visible escapes
Markdown   ``for_markdown``: one line, markup characters backslash-escaped, controls escaped
HTML       ``for_html``: controls escaped, then HTML-escaped (quotes too)
========== =================================================================================================

Escapes are visible (``\\x1b[2J`` reads as those characters), so a reviewer sees that something was attempted.
"""

from __future__ import annotations

import html
import re

# Characters never written as they are: C0 controls (tab, newline and CR included; each medium decides about
# those), DEL and C1 controls, the bidirectional controls (text that reads differently from how it is stored),
# Unicode line and paragraph separators, lone surrogates (from undecodable file names) and the two non-characters
# XML 1.0 forbids.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")  # with their full-width forms
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~&])")


def visible_escape(char: str) -> str:
    """How one unsafe character is shown: ``\\t``, ``\\n``, ``\\r``, else ``\\xNN`` or ``\\uNNNN``."""
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """``text`` with every unsafe character (controls, bidi controls, separators, surrogates) shown as a visible
    escape, except the characters in ``keep`` (chosen from tab, newline and CR)."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else visible_escape(m.group()), text)


def for_terminal(text: str, indent: str = "") -> str:
    """Text safe to print to a terminal: no escape sequence and no control character but newline (a CRLF line end
    counts as a newline, a lone CR shows as ``\\r``); tabs expanded. Every line after the first starts with
    ``indent``, so a multi-line message stays visibly under the line it belongs to and cannot forge one."""
    lines = text.replace("\r\n", "\n").split("\n")
    return ("\n" + indent).join(escape_controls(line.expandtabs(4)) for line in lines)


def for_terminal_line(text: str) -> str:
    """Text safe to print to a terminal as part of one line (a newline shows as ``\\n``)."""
    return escape_controls(text.expandtabs(4))


def for_csv(text: str) -> str:
    """A CSV cell safe to open in a spreadsheet: controls escaped (newlines kept: the csv module quotes them) and a
    cell that a spreadsheet would read as a formula (starting with = + - @, possibly after spaces) prefixed with a
    single quote, as OWASP recommends."""
    cell = escape_controls(text, keep="\n")
    stripped = cell.lstrip(" \n")
    if cell and (cell[0] in _FORMULA_START or (stripped and stripped[0] in _FORMULA_START)):
        return "'" + cell
    return cell


def for_xml(text: str) -> str:
    """Text made of characters XML 1.0 allows (the serializer still escapes ``<``, ``&`` and quotes): tab and
    newline kept, every other control and every surrogate or non-character shown as a visible escape."""
    return escape_controls(text, keep="\t\n")


def for_markdown(text: str) -> str:
    """Text safe inside one line of Markdown (a heading, a table cell, a list item): newlines and controls shown
    as visible escapes, and the characters that start markup (links, emphasis, code, HTML, tables, headings)
    backslash-escaped, so it renders as the literal text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape_controls(text))


def for_html(text: str) -> str:
    """Text safe as HTML element content or a quoted attribute value: controls escaped, then ``< > & " '``."""
    return html.escape(escape_controls(text, keep="\n\t"), quote=True)
