"""The dashboard as one self-contained HTML page: tables and inline SVG charts, no scripts,
no external files (it opens anywhere, offline, and can be mailed)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from tagihlite.core.formats import rupiah

_COLORS = ("#c00000", "#2f75b5", "#70ad47", "#ffc000", "#7030a0", "#ed7d31", "#5b9bd5",
           "#a5a5a5", "#264478")


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
              *, width: int = 560, height: int = 260) -> str:
    """Grouped vertical bars; ``series`` = (name, one value per label)."""
    left, bottom, top = 48, 48, 28
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = max([v for _, vals in series for v in vals] + [1]) * 1.12  # room for labels
    n, k = max(len(labels), 1), max(len(series), 1)
    slot = plot_w / n
    bar = slot * 0.8 / k
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" '
             f'font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
             'stroke="#333"/>']
    for i, label in enumerate(labels):
        for j, (_, vals) in enumerate(series):
            v = vals[i]
            h = plot_h * v / peak
            x = left + i * slot + slot * 0.1 + j * bar
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{_COLORS[j % len(_COLORS)]}">'
                         f'<title>{escape(label)}: {v:g}</title></rect>')
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                         f'text-anchor="middle" font-size="10">{v:g}</text>')
        parts.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{top + plot_h + 16}" '
                     f'text-anchor="middle" font-size="10">{escape(label[:18])}</text>')
    for j, (name, _) in enumerate(series if k > 1 else ()):
        parts.append(f'<rect x="{left + j * 130}" y="{height - 16}" width="10" height="10" '
                     f'fill="{_COLORS[j % len(_COLORS)]}"/><text x="{left + j * 130 + 14}" '
                     f'y="{height - 7}" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, labels: Sequence[str], values: Sequence[float], *,
               width: int = 560, height: int = 260) -> str:
    left, bottom, top = 70, 40, 28
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = max([*values, 1]) * 1.05
    n = len(values)
    pts = [(left + (plot_w * i / max(n - 1, 1)), top + plot_h - plot_h * v / peak)
           for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}">',
             f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" '
             f'font-weight="bold">{escape(title)}</text>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
             'stroke="#333"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="10">'
             f'{escape(rupiah(int(max([*values, 0]))))}</text>']
    if pts:
        parts.append(f'<polyline points="{path}" fill="none" stroke="{_COLORS[1]}" '
                     'stroke-width="2.5"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{_COLORS[1]}"/>'
                  for x, y in pts]
        for i in sorted({0, n - 1}):
            anchor = "start" if i == 0 else "end"
            parts.append(f'<text x="{pts[i][0]:.1f}" y="{top + plot_h + 16}" '
                         f'text-anchor="{anchor}" font-size="10">{escape(labels[i])}</text>')
    else:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
                     'font-size="12" fill="#666">Belum ada pembayaran tercatat</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>"
                                    for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _eff_rows(groups: Sequence[dict[str, Any]], key: str, style: str) -> list[list[Any]]:
    return [[g.get("label") or g[key] or "-", g["reminded"], g["paid_within_3_days"],
             g["paid_within_7_days"], g["paid_within_14_days"], f"{g['rate'] * 100:.0f}%",
             "-" if g["median_days_to_pay"] is None else g["median_days_to_pay"],
             rupiah(g["collected"], style)] for g in groups]


EFF_HEAD = ("", "Diingatkan", "Bayar ≤3 hari", "≤7 hari", "≤14 hari", "Tingkat bayar",
            "Median hari", "Terkumpul")


def render(data: dict[str, Any], *, style: str = "puebi", title: str = "Laporan TagihLite"
           ) -> str:
    """``data``: :func:`tagihlite.followup.dashboard.dashboard`."""
    eff = data["effectiveness"]
    statuses = data["by_status"]
    charts = [
        bar_chart("Jumlah baris per status", list(statuses),
                  [("Baris", [v["count"] for v in statuses.values()])]),
        bar_chart("Lunas setelah pengingat, per tingkat",
                  [g["label"] for g in eff["by_level"]],
                  [("Diingatkan", [g["reminded"] for g in eff["by_level"]]),
                   ("Lunas", [g["paid"] for g in eff["by_level"]])]),
        line_chart("Kurva penagihan (Rupiah terkumpul, kumulatif)",
                   [c["date"] for c in eff["curve"]], [c["cumulative"] for c in eff["curve"]]),
    ]
    status_rows = [[k, v["count"], rupiah(v["amount"], style)] for k, v in statuses.items()]
    t = eff["total"]
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>Sheet '{escape(data['sheet'])}', {data['rows']} baris; dibuat "
        f"{escape(data['generated'].replace('T', ' '))} WIB.</p>",
        '<div class="charts">' + "".join(f"<figure>{c}</figure>" for c in charts) + "</div>",
        "<h2>Status</h2>", _table(("Status", "Jumlah baris", "Nominal"), status_rows),
        f"<p>Total belum dibayar: <b>{escape(rupiah(data['outstanding'], style))}</b></p>",
        "<h2>Efektivitas pengingat</h2>",
        f"<p>{t['reminded']} pengingat; {t['paid']} diikuti pelunasan "
        f"({t['rate'] * 100:.0f}%); terkumpul {escape(rupiah(t['collected'], style))}.</p>",
        "<h3>Per tingkat</h3>", _table(EFF_HEAD, _eff_rows(eff["by_level"], "level", style)),
        "<h3>Per saluran</h3>",
        _table(EFF_HEAD, _eff_rows(eff["by_channel"], "channel", style)),
        "<h3>Per petugas</h3>",
        _table(EFF_HEAD, _eff_rows(eff["by_operator"], "operator", style)),
    ]
    css = ("body{font-family:Calibri,Arial,sans-serif;margin:24px;color:#222;background:#fff}"
           "table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #bbb;"
           "padding:4px 8px;text-align:right}th{background:#c00000;color:#fff}"
           "td:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}"
           "figure{margin:0;border:1px solid #ddd;padding:4px}h1{color:#c00000}")
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>'
            f"{escape(title)}</title><style>{css}</style></head><body>"
            + "".join(body) + "</body></html>\n")
