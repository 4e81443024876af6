"""QR codes for invite links, so members can scan one from the meeting screen."""

from __future__ import annotations

import io

import segno


def qr_png(text: str, *, scale: int = 8) -> bytes:
    """A PNG image of a QR code holding ``text``, each module ``scale`` pixels wide."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(text: str, *, scale: int = 8) -> bytes:
    """An SVG image of a QR code holding ``text``."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=scale, border=4)
    return buffer.getvalue()
