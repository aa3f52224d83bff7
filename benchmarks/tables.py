# benchmarks/tables.py
"""From records to figures and tables: the best of the repeats, their spread, genlet's advantage
over each peer, the markdown tables, and the goals the issues set, checked.

A row is a dict: interpreter, workload, lib, status, values (one per repeat), note, plus what
``finish`` adds: title, unit, higher_is_better, best, spread (percent), advantage.

``advantage`` is how many times better genlet's figure is than the row's: genlet's rate divided
by the peer's, or the peer's cost (bytes, seconds) divided by genlet's. Above 1, genlet is ahead.
"""

from benchmarks.harness import LIBS

PEERS = ("asyncio", "uvloop", "trio", "curio", "gevent", "eventlet", "tinyio")
LIMIT = "limit"  # a goal on genlet's own figure, not a ratio
LINEAR = "linear"  # a goal on how genlet's cost grows across a series of workloads

# (interpreter, workload, peers, genlet × at least (or the limit), the goal as the issues put it)
GOALS = (
    ("CPython", "switch", ("asyncio",), 5, "switch ≥ 5× asyncio"),
    ("CPython", "switch", ("uvloop",), 2.5, "switch ≥ 2.5× asyncio+uvloop"),
    ("CPython", "floor", ("floor",), 1 / 3, "switch ≥ a third of the floor's rate"),
    ("CPython", "spawn", ("asyncio",), 4, "spawn and join ≥ 4× asyncio"),
    ("CPython", "ping-pong", ("asyncio",), 3, "ping-pong ≥ 3× asyncio"),
    ("CPython", "ping-pong", PEERS, 1, "ping-pong faster than every peer"),
    ("CPython", "pipeline", ("asyncio",), 2.5, "pipeline ≥ 2.5× asyncio"),
    ("CPython", "pipeline", ("gevent",), None, "pipeline vs gevent's compiled queue (reported)"),
    ("CPython", ("select-1", "select-8", "select-64"), LINEAR, None,
     "select: its cost grows no faster than linearly in its op count"),
    ("CPython", "memory", LIMIT, 450, "≤ 450 bytes per parked task (tracemalloc)"),
    ("CPython", "timers", ("uvloop",), 3, "timers: overhead ≤ a third of asyncio+uvloop's"),
    ("CPython", "timeouts", ("uvloop",), 3, "timeouts: overhead ≤ a third of asyncio+uvloop's"),
    ("CPython", "echo", ("curio", "gevent", "eventlet", "asyncio", "asyncio-protocol", "trio"), 1,
     "echo ahead of every peer but uvloop"),
    ("CPython", "echo", ("uvloop",), 0.9, "echo ≥ 0.9× asyncio+uvloop streams"),
    ("CPython", "lock-uncontended", ("asyncio", "trio", "gevent"), 1, "uncontended Lock fastest"),
    ("CPython", "lock-contended", ("asyncio", "trio", "gevent"), 1, "contended Lock hand-off fastest"),
    ("CPython", "queue-put-get", ("asyncio", "trio", "gevent"), 1, "Queue put/get fastest"),
    ("CPython", "queue", ("asyncio", "trio", "gevent"), 1, "Queue producer → consumer fastest"),
    ("MicroPython", "switch", ("asyncio",), 1, "MicroPython: switches beat its asyncio"),
    ("MicroPython", "ping-pong", ("asyncio",), 1, "MicroPython: channel ping-pong beats its asyncio"),
)  # fmt: skip


def finish(rows, interpreter, workloads):
    """Complete one interpreter's rows (figures, advantages) and put them in table order."""
    about = {workload.name: workload for workload in workloads}
    order = {workload.name: index for index, workload in enumerate(workloads)}
    for row in rows:
        workload = about[row["workload"]]
        row.update(interpreter=interpreter, title=workload.title, unit=workload.unit)
        row["higher_is_better"] = workload.higher_is_better
        figures(row)
    rows.sort(key=lambda row: (order[row["workload"]], LIBS.index(row["lib"])))
    genlet = {row["workload"]: row["best"] for row in rows if row["lib"] == "genlet"}
    for row in rows:
        row["advantage"] = None if row["lib"] == "genlet" else advantage(row, genlet.get(row["workload"]))
    return rows


def figures(row):
    """The best of the repeats (the highest rate, the lowest cost) and their spread in percent."""
    values = row.get("values") or []
    if row["status"] != "ok" or not values:
        row.update(best=None, spread=None)
        return
    best = max(values) if row["higher_is_better"] else min(values)
    row["best"] = best
    row["spread"] = (max(values) - min(values)) / abs(best) * 100 if best else 0.0


def advantage(row, genlet_best):
    mine = row["best"]
    if mine is None or genlet_best is None or mine <= 0 or genlet_best <= 0:
        return None  # not measured, or a cost at or below zero (noise): no meaningful ratio
    return genlet_best / mine if row["higher_is_better"] else mine / genlet_best


def human(value, unit):
    """3 significant digits; rates with k / M / G."""
    if unit.endswith("/s"):
        for scale, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
            if abs(value) >= scale:
                return "%.3g%s" % (value / scale, suffix)
    if unit == "bytes/task" and abs(value) >= 100:
        return "{:,.0f}".format(value)
    return "%.3g" % value


STATUS_TEXT = {"missing": "missing", "unavailable": "not available yet", "n/a": "n/a", "error": "**error**"}


def figure_cell(row):
    if row["status"] == "ok":
        return human(row["best"], row["unit"])
    return "%s: %s" % (STATUS_TEXT.get(row["status"], row["status"]), row["note"].replace("|", "/"))


def table(rows):
    """One markdown table: a group of rows per workload."""
    lines = [
        "| workload | library | figure | spread | genlet × |",
        "|---|---|--:|--:|--:|",
    ]
    shown = None
    for row in rows:
        head = ""
        if row["workload"] != shown:
            shown = row["workload"]
            better = "higher" if row["higher_is_better"] else "lower"
            head = "**%s**: %s (%s, %s is better)" % (shown, row["title"], row["unit"], better)
        lib = "**genlet**" if row["lib"] == "genlet" else row["lib"]
        spread = "" if row["spread"] is None else "%.1f%%" % row["spread"]
        ratio = "" if row["advantage"] is None else "%.2f×" % row["advantage"]
        lines.append("| %s | %s | %s | %s | %s |" % (head, lib, figure_cell(row), spread, ratio))
    return "\n".join(lines)


def markdown(rows, meta):
    """Every interpreter's table, then the goals."""
    out = []
    for interpreter, about in meta["interpreters"].items():
        mine = [row for row in rows if row["interpreter"] == interpreter]
        if not mine:
            continue
        python = about.get("python", "?")
        out.append("### %s\n" % (python if python.startswith(interpreter) else "%s: %s" % (interpreter, python)))
        out.append(table(mine) + "\n")
    out.append(
        "figure: %s; spread: (worst − best) / best. genlet ×: how many times better genlet's "
        "figure is than the row's (above 1: genlet is ahead). floor: the same work done with no "
        "features at all (for switch, a bare deque of generators; for spawn, a task record of three "
        "slots on a deque; for queue-put-get, `yield from` put and get on a deque with no checks): "
        "what genlet's features cost, and a bound no implementation of them can pass.\n" % meta["method"]
    )
    out.append("### Goals (issues 2–7)\n")
    out.append(goals_table(rows))
    return "\n".join(out)


def goals_table(rows):
    index = {(row["interpreter"], row["workload"], row["lib"]): row for row in rows}
    lines = ["| goal | measured | met |", "|---|---|:-:|"]
    for goal in GOALS:
        measured, met = check(goal, index)
        mark = {True: "yes", False: "**no**", None: "—"}[met]
        lines.append("| %s | %s | %s |" % (goal[4], measured, mark))
    return "\n".join(lines) + "\n"


def check(goal, index):
    """(what was measured, met: True / False / None when it could not be told)."""
    interpreter, workload, peers, least, _ = goal
    if peers == LINEAR:
        return check_linear(interpreter, workload, index)
    genlet = index.get((interpreter, workload, "genlet"))
    if genlet is None:
        return "not run", None
    if genlet["best"] is None:
        return "genlet: %s" % figure_cell(genlet), None
    if peers == LIMIT:
        return "%s %s" % (human(genlet["best"], genlet["unit"]), genlet["unit"]), genlet["best"] <= least
    found, absent = [], []
    for peer in peers:
        row = index.get((interpreter, workload, peer))
        if row is None or row["advantage"] is None:
            absent.append(peer)
        else:
            found.append((row["advantage"], peer))
    parts = ["%.2f× %s" % pair for pair in found]
    if absent and peers is not PEERS:
        parts.append("not measured: %s" % ", ".join(absent))
    if not found:
        return "; ".join(parts) or "no peer measured", None
    if workload == "floor":
        parts.append("a genlet switch costs %.2f× the floor's" % (1 / found[0][0]))
    floor = index.get((interpreter, workload, "floor"))
    if workload != "floor" and floor is not None and floor["advantage"] is not None:
        parts.append(floor_note(floor, [index[(interpreter, workload, peer)] for _, peer in found]))
    met = None if least is None else min(ratio for ratio, _ in found) >= least
    return "; ".join(parts), met


def floor_note(floor, peers):
    """Where a workload has a floor (the same work with no features): how far genlet is from
    it, and how the floor itself compares with the peers. A floor behind a peer shows that no
    implementation of the feature could be ahead of it."""
    against = ["%.2f× %s" % (advantage(peer, floor["best"]), peer["lib"]) for peer in peers]
    return "the floor (no features) is %s; genlet is %.2f× the floor" % (", ".join(against), floor["advantage"])


def check_linear(interpreter, series, index):
    """Met when, from each workload of the series to the next, genlet's cost per operation
    (1 / rate) grows by no more than the op count does (select-1 -> select-8: at most 8×)."""
    costs = []
    for workload in series:
        row = index.get((interpreter, workload, "genlet"))
        if row is None or row["best"] is None:
            return "not run", None
        costs.append((int(workload.rsplit("-", 1)[1]), 1e6 / row["best"]))
    parts = ["%d op%s %.3g µs" % (costs[0][0], "" if costs[0][0] == 1 else "s", costs[0][1])]
    met = True
    for (ops_before, before), (ops, cost) in zip(costs, costs[1:]):
        growth = cost / before
        parts.append("%d ops %.3g µs (%.2f× for %d× the ops)" % (ops, cost, growth, ops // ops_before))
        met = met and growth <= ops / ops_before
    return "; ".join(parts), met
