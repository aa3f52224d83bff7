# benchmarks/plot.py
"""The chart: one small bar chart per workload (and interpreter), genlet against each peer.

Each panel shows the best figure of every library that was measured, genlet's bar in colour,
with the figure and genlet's advantage written beside each bar; where genlet was not measured
its line says why ("not available yet"). Workloads where nothing was measured are left out; a
peer that was not measured has no line (the tables say why).
Needs matplotlib (the ``bench`` extra); without it the driver prints a notice and draws nothing.
"""

from benchmarks.tables import STATUS_TEXT, human

COLOURS = {"genlet": "#d1495b", "floor": "#2e86ab"}
PEER = "#9e9e9e"
COLUMNS = 4


def panels(rows):
    """[(interpreter, workload, its measured rows)], in table order."""
    found = []
    for row in rows:
        key = (row["interpreter"], row["workload"])
        if not found or found[-1][:2] != key:
            found.append((key[0], key[1], []))
        if row["status"] == "ok" or row["lib"] == "genlet":
            found[-1][2].append(row)
    return [panel for panel in found if any(row["status"] == "ok" for row in panel[2])]


def bar_label(row):
    if row["status"] != "ok":
        return STATUS_TEXT.get(row["status"], row["status"])
    label = human(row["best"], row["unit"])
    if row["advantage"] is not None:
        label += "  (genlet %.2f×)" % row["advantage"]
    return label


def draw_panel(axes, interpreter, workload, shown):
    from matplotlib.ticker import FuncFormatter

    unit = shown[0]["unit"]
    values = [row["best"] if row["status"] == "ok" else 0 for row in shown]
    axes.barh(range(len(shown)), values, color=[COLOURS.get(row["lib"], PEER) for row in shown])
    axes.set_yticks(range(len(shown)))
    axes.set_yticklabels([row["lib"] for row in shown], fontsize=8)
    axes.invert_yaxis()
    better = "higher" if shown[0]["higher_is_better"] else "lower"
    where = "" if interpreter == "CPython" else " — %s" % interpreter
    axes.set_title("%s%s\n%s, %s is better" % (workload, where, unit, better), fontsize=9)
    axes.tick_params(axis="x", labelsize=7)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: human(value, unit) if value else "0"))
    top = max(values + [0])
    for index, row in enumerate(shown):
        axes.text(max(values[index], 0) + top * 0.02, index, bar_label(row), va="center", fontsize=7)
    axes.set_xlim(min(values + [0]), top * 1.9 if top > 0 else 1)


def draw(rows, path, notices):
    """Write the chart to ``path`` (the format follows its extension: .svg, .png, .pdf)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        notices.append("matplotlib is not installed (pip install -e '.[bench]'): no chart was drawn")
        return
    found = panels(rows)
    if not found:
        notices.append("nothing was measured: no chart was drawn")
        return
    plt.rcParams["svg.hashsalt"] = "genlet"  # the same run gives the same file
    plt.rcParams["svg.fonttype"] = "none"  # text as text: a tenth of the size of drawn glyphs
    count = len(found)
    lines = (count + COLUMNS - 1) // COLUMNS
    figure, grid = plt.subplots(lines, COLUMNS, figsize=(4.2 * COLUMNS, 2.6 * lines), squeeze=False)
    for axes, panel in zip(grid.flat, found):
        draw_panel(axes, *panel)
    for axes in list(grid.flat)[count:]:
        axes.axis("off")
    figure.suptitle("genlet against its peers (best of each; genlet N× = how many times better genlet is)")
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None} if path.endswith(".svg") else None)
    plt.close(figure)
