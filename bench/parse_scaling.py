"""How `parse_notice` scales with pathological input: linear, or worse?

Texts built to tempt a regular expression into backtracking (a body of thousands of "将报", a 抄送
line of "印发" repeated, a year repeated) are parsed at sizes n, 2n and 4n; the script prints the
median, min and max of each and the ratio of each size to the one before. Linear work doubles
(ratio ≈ 2); quadratic work quadruples. A measurement, not a test: it always exits 0.

    .venv/bin/python bench/parse_scaling.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workflow.notice_text import parse_notice  # noqa: E402

CASES = {
    "将报 × n in a body": lambda n: "关于的通知\n各单位：\n" + "将报" * n,
    "请报送 × n in a body": lambda n: "关于的通知\n各单位：\n" + "请报送" * n,
    "抄送 line of 印发 × n": lambda n: ("抄送：" + "印发" * n + "\n") * 3,
    "2015年 × n": lambda n: "2015年" * n,
    # A web page: furniture lines, a glued 主送 line, colons, brackets left open, dates in figures.
    "发布时间 line × n/40": lambda n: "发布时间:2021-01-01 浏览次数:1\n" * (n // 40) + "各部门:为" * n,
    "各部门: 将于前报 × n": lambda n: "各部门: " + "请于3月1日前将（材料报至市妇联，" * (n // 16),
    "2021115 line × n/8": lambda n: "关于的通知\n各单位：\n" + "2021115\n" * (n // 8),
    # Page labels before a title, a thing's handling and form run on, a one-line glued copy.
    "主题: line × n/4": lambda n: "主题:\n" * (n // 4) + "关于的通知\n各单位：\n请报。",
    "经…后通过…电子版 × n/16": lambda n: "关于的通知\n各单位：\n请将材料"
    + "经负责人签字后通过电子版和纸质版" * (n // 16) + "报送市妇联。",
    "glued one line × n/16": lambda n: "关于的通知 各科室: " + "请于3月1日前将名单报校工会。" * (n // 16)
    + " 校工会 2024年3月20日",
}
SIZES = (5_000, 10_000, 20_000)
RUNS = 5


def timed(text: str) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        parse_notice(text)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    print(f"{'case':<24} {'n':>7} {'median s':>9} {'min':>7} {'max':>7} {'× previous':>10}")
    for name, build in CASES.items():
        previous = None
        for n in SIZES:
            times = timed(build(n))
            median = statistics.median(times)
            ratio = f"{median / previous:.2f}" if previous else ""
            print(f"{name:<24} {n:>7} {median:>9.4f} {min(times):>7.4f} {max(times):>7.4f}"
                  f" {ratio:>10}")
            previous = median
    return 0


if __name__ == "__main__":
    sys.exit(main())
