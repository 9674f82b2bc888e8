"""Small bar charts as SVG, drawn on the server (no JavaScript, no CDN)."""
from html import escape
from typing import Sequence, Tuple

WIDTH, BAR, GAP, LABEL = 640, 18, 6, 190


def bar_chart(title: str, data: Sequence[Tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per (label, value); values printed at the bar's end."""
    height = 30 + max(1, len(data)) * (BAR + GAP)
    top = max((v for _, v in data), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
             f'height="{height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>']
    if not data:
        parts.append('<text x="0" y="40" font-size="12">No data yet</text>')
    for i, (label, value) in enumerate(data):
        y = 28 + i * (BAR + GAP)
        width = (WIDTH - LABEL - 60) * value / top
        shown = f"{value:.0%}" if unit == "%" else f"{value:g}"
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(label[:28])}</text>'
                     f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR}" '
                     f'fill="#2f4f3e"/>'
                     f'<text x="{LABEL + width + 4:.1f}" y="{y + 13}" font-size="12">'
                     f'{escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)
