"""Small server-rendered SVG charts (no JavaScript, no CDN) for the statistics pages.

Each chart has a <title> and <desc> for screen readers; the pages also show the same
numbers in a data table.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

__all__ = ["bar_chart", "horizontal_bars"]

INK = "#1f2937"
GRID = "#d1d5db"
SERIES_COLOURS = ["#1d4ed8", "#047857"]  # both above 4.5:1 on white


def _n(value):
    """A coordinate as text (format_html escapes its arguments, so numbers are formatted first)."""
    return f"{value:.1f}"


def _nice_max(value):
    if value <= 5:
        return 5
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) + step - 1) // step) * step


def bar_chart(title, labels, series, *, chart_id):
    """Grouped vertical bars: `series` is [(name, [values...])], one value per label."""
    width, height, left, bottom, top = max(360, 70 * len(labels) + 60), 260, 44, 40, 30
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = _nice_max(max((v for _, values in series for v in values), default=0))
    group_w = plot_w / max(len(labels), 1)
    bar_w = min(22, (group_w - 10) / max(len(series), 1))
    parts = []
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
                left,
                width - 10,
                y,
                y,
                GRID,
                left - 6,
                y + 4,
                INK,
                f"{value:g}",
            )
        )
    for g, label in enumerate(labels):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[g]
            h = plot_h * value / peak if peak else 0
            x = x0 + s * bar_w
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} {}：{}</title></rect>',
                    x,
                    top + plot_h - h,
                    bar_w - 2,
                    h,
                    SERIES_COLOURS[s % 2],
                    label,
                    name,
                    value,
                )
            )
            if value:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}">{}</text>',
                        x + (bar_w - 2) / 2,
                        top + plot_h - h - 3,
                        INK,
                        value,
                    )
                )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                left + g * group_w + group_w / 2,
                height - bottom + 16,
                INK,
                label,
            )
        )
    legend = format_html_join(
        "",
        '<rect x="{}" y="8" width="12" height="12" fill="{}"/><text x="{}" y="18" font-size="12" fill="{}">{}</text>',
        ((left + i * 90, SERIES_COLOURS[i % 2], left + i * 90 + 16, INK, name) for i, (name, _) in enumerate(series)),
    )
    return _svg(chart_id, title, width, height, legend + mark_safe("".join(parts)))


def horizontal_bars(title, rows, *, chart_id, suffix="%", maximum=100):
    """One bar per (label, value or None); None is drawn as "—" without a bar."""
    label_w, bar_space, row_h, top = 200, 320, 26, 10
    width, height = label_w + bar_space + 70, top * 2 + row_h * max(len(rows), 1)
    parts = []
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
                label_w - 8,
                y + 17,
                INK,
                label[:16],
            )
        )
        if value is None:
            text = "—"
            end = label_w
        else:
            w = bar_space * min(value, maximum) / maximum
            end = label_w + w
            text = f"{value:.2f}{suffix}"
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="18" fill="{}"><title>{}：{}</title></rect>',
                    label_w,
                    y + 4,
                    w,
                    SERIES_COLOURS[0],
                    label,
                    text,
                )
            )
        parts.append(
            format_html('<text x="{}" y="{}" font-size="12" fill="{}">{}</text>', _n(end + 6), y + 17, INK, text)
        )
    return _svg(chart_id, title, width, height, mark_safe("".join(parts)))


def _svg(chart_id, title, width, height, body):
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" '
        'role="img" aria-labelledby="{id}-title {id}-desc" class="daiban-chart">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{title}，详细数字见下方数据表。</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        title=title,
        body=body,
    )
