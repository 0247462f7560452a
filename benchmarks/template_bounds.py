"""Template resource bounds (issue 9): the worst templates that pass the checks, each
rendered for one hostile row in a fresh process, against the default template.

    .venv/bin/python benchmarks/template_bounds.py

For each case prints wall time and peak memory (max RSS) of the render, the extra memory
over the default template's baseline measured in the same run, and PASS when it stays
under the issue's bound (< 2 s, < 100 MB extra) whether the template was refused, the row
was message_too_long, or it rendered.
"""

from __future__ import annotations

import json
import subprocess
import sys

NAME = "N " * 2048  # 4,096 characters: the longest name that is not message_too_long


def hidden(body: str) -> str:
    """Growth the load-time sample render (a short name) never reaches."""
    return "{% if name | length > 100 %}" + body + "{% endif %}"


WIDE = "{{ name | replace(' ', name) | center(1000) | wordwrap(1000) | indent(1000) }}"
CASES = {
    "default template": None,
    "issue: set doubling": "\n".join(["{% set a = name ~ name %}"]
                                     + ["{% set a = a ~ a %}"] * 31 + ["{{ a }}"]),
    "issue: %0999999999d": '{{ "%0999999999d" | format(1) }}',
    "longest concat chain": hidden("{{ name" + " ~ name" * 1400 + " }}"),
    "capped filters, chained": hidden(" ".join([WIDE] * 100)),
    "string * and +": hidden(" ".join(["{{ name * 1 + name * 1 + name * 1 }}"] * 200)),
    "replace, then concat": hidden("{{ (name | replace('N', 'NNNN'))"
                                   + " ~ (name | replace('N', 'NNNN'))" * 290 + " }}"),
    "32,767-char name": "{{ name }}",
}

CHILD = r"""
import json, resource, sys, time
from tagihlite.core.messages import (MessageTemplate, MessageTooLong, TemplateError,
                                     TemplateSource, default_template, sample_context)
text, name = json.loads(sys.argv[1])
ctx = {**sample_context(), "name": name, "company": "PT", "branch": "Dumai", "contact": "147"}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    src = default_template() if text is None else TemplateSource(text, "bench")
    tpl = MessageTemplate(src, constants={"company": "PT", "branch": "Dumai", "contact": "147"})
    outcome = f"rendered {len(tpl.render(ctx))} chars"
except MessageTooLong:
    outcome = "message_too_long"
except TemplateError as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[1][:60]
dt = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps([dt, base / 1024, peak / 1024, outcome]))
"""


def main() -> int:
    rows = []
    for label, text in CASES.items():
        name = ("N" * 32767 if label.startswith("32,767") else
                "Toko Maju" if label.startswith("default") else NAME)
        out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([text, name])],
                             capture_output=True, text=True, timeout=120)
        if out.returncode:
            print(label, "CRASHED", out.stderr[-300:])
            return 1
        rows.append((label, *json.loads(out.stdout)))
    baseline = rows[0][3]
    print(f"{'case':28} {'time':>8} {'peak MB':>8} {'extra MB':>9}  verdict  outcome")
    ok = True
    for label, secs, _base, peak, outcome in rows:
        extra = peak - baseline
        good = secs < 2 and extra < 100
        ok &= good
        print(f"{label:28} {secs:7.3f}s {peak:8.1f} {extra:9.1f}  {'PASS' if good else 'MISS':7}  "
              f"{outcome}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
