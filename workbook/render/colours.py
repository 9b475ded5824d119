"""The accent colour, adjusted so text in it stays readable (WCAG AA, 4.5:1)."""

from __future__ import annotations

LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#15191c"
# The theme's softer panel backgrounds (--bg-soft in site.css): links sit on them too.
LIGHT_PANEL = "#f5f6f4"
DARK_PANEL = "#1e2428"
AA = 4.5


def _rgb(color: str) -> tuple[float, float, float]:
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    return tuple(int(color[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(color: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(color: str, background: str, ratio: float = AA) -> str:
    """``color`` mixed towards black or white until it reaches ``ratio`` on ``background``."""
    toward = 0.0 if luminance(background) > 0.5 else 1.0
    rgb = _rgb(color)
    for step in range(101):
        mix = step / 100
        candidate = _hex(tuple(c + (toward - c) * mix for c in rgb))  # type: ignore[arg-type]
        if contrast(candidate, background) >= ratio:
            return candidate
    return "#000000" if toward == 0.0 else "#ffffff"


def theme_css(accent: str) -> str:
    """CSS custom properties derived from ``accent_color`` (assets/theme.css)."""
    # The panel is the harder background in each mode (darker in light, lighter in dark),
    # so an accent readable on it is readable on the page too.
    light = readable_on(accent, LIGHT_PANEL)
    dark = readable_on(accent, DARK_PANEL)
    return (
        "/* Generated from accent_color in workbook.yaml; adjusted for 4.5:1 contrast. */\n"
        f":root {{ --accent: {light}; --accent-soft: {_soft(light)}; }}\n"
        "@media screen and (prefers-color-scheme: dark) {\n"  # print stays light
        f"  :root {{ --accent: {dark}; --accent-soft: {_soft(dark, dark_mode=True)}; }}\n"
        "}\n"
    )


def _soft(color: str, dark_mode: bool = False) -> str:
    """A pale tint (or deep shade in dark mode) of the accent for backgrounds."""
    toward = 0.0 if dark_mode else 1.0
    amount = 0.8 if dark_mode else 0.88
    return _hex(tuple(c + (toward - c) * amount for c in _rgb(color)))  # type: ignore[arg-type]
