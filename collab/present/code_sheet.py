"""A printable sheet of personal invite codes: one card per person, with its QR code.

The sheet is one self-contained HTML page (the QR codes are inline SVG), made to be
printed on A4 and cut into cards, or to be handed out one card each.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2

from collab.domain.invite_codes import InviteCodeInfo, invite_link
from collab.present.qr import qr_svg
from collab.store.framework import Framework

# Autoescaped: organisation names are people's own text.
TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("collab.present", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
LINK_COLUMNS = ["number", "organisation", "group", "kind", "code", "link"]


@dataclass(frozen=True)
class CodeCard:
    """One code as it is handed out."""

    number: int
    organisation: str
    group: str
    personal: bool
    code: str
    link: str


def code_cards(
    made: Sequence[tuple[InviteCodeInfo, str]], *, framework: Framework, base_url: str
) -> list[CodeCard]:
    """The cards of codes just made (each record with its code), links included."""
    return [
        CodeCard(
            number=info.id,
            organisation=info.organisation,
            group=framework.group_name(info.stakeholder_group),
            personal=info.personal,
            code=code,
            link=invite_link(base_url, code),
        )
        for info, code in made
    ]


def code_sheet_html(cards: Sequence[CodeCard], *, title: str, round_hint: str = "") -> str:
    """The printable sheet of ``cards``: each with its code, link and QR code."""
    shown = [
        {
            "card": card,
            "qr": "data:image/svg+xml;base64,"
            + base64.b64encode(qr_svg(card.link, scale=4)).decode("ascii"),
        }
        for card in cards
    ]
    return TEMPLATES.get_template("code_sheet.html").render(
        title=title, cards=shown, round_hint=round_hint
    )


def code_links_csv(cards: Sequence[CodeCard]) -> bytes:
    """The codes and links as CSV (UTF-8 with a byte-order mark, for spreadsheets), one row
    per code, for a mail merge."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LINK_COLUMNS)
    for card in cards:
        writer.writerow(
            [
                card.number,
                _cell(card.organisation),
                card.group,
                "personal" if card.personal else "shared",
                card.code,
                card.link,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
