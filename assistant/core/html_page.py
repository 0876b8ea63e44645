"""Self-contained HTML pages for people to read, print or hand out (the review pack, the chat's
conversation handout): inline style, no scripts, nothing fetched. Markdown is rendered without
HTML of its own, so a document's markup stays text."""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})

STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #14323a; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #0b5f62; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { border: 1px solid #ccd; padding: .2rem .6rem; text-align: left; }
blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .6rem; border-left: 3px solid #b7c9c9; color: #333; }
@media print { body { margin: 0; max-width: none; } section, blockquote { break-inside: avoid; }
               a { color: inherit; text-decoration: none; } }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body>
{body}
</body></html>
"""


def markdown_html(source: str) -> str:
    return _MARKDOWN.render(source or "")


def escaped(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str, style: str = "") -> str:
    """A whole page around `body` (HTML), titled `title` (text)."""
    return _PAGE.format(title=escaped(title), style=STYLE + style, body=body)
