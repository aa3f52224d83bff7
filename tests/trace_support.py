"""Helpers for the trace tests: a structural check of Chrome's Trace Event Format."""

import collections

# The phases genlet.trace writes, and the keys each one must have (Trace Event Format,
# https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU).
REQUIRED = {
    "M": {"name", "pid", "tid", "args"},
    "X": {"name", "cat", "pid", "tid", "ts", "dur"},
    "i": {"name", "pid", "tid", "ts", "s"},
    "s": {"name", "cat", "id", "pid", "tid", "ts"},
    "f": {"name", "cat", "id", "pid", "tid", "ts", "bp"},
}


def check_chrome_trace(trace):
    """Raise AssertionError unless ``trace`` is a valid trace-event object as Perfetto and
    chrome://tracing read it; return its events by phase."""
    assert set(trace) >= {"traceEvents"}, sorted(trace)
    assert trace.get("displayTimeUnit", "ms") in ("ms", "ns")
    phases = collections.defaultdict(list)
    for event in trace["traceEvents"]:
        ph = event["ph"]
        assert ph in REQUIRED, event
        missing = REQUIRED[ph] - set(event)
        assert not missing, (missing, event)
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int), event
        assert isinstance(event["name"], str), event
        if "ts" in event:
            assert isinstance(event["ts"], (int, float)) and event["ts"] >= 0, event
        if ph == "X":
            assert isinstance(event["dur"], (int, float)) and event["dur"] >= 0, event
        if ph == "i":
            assert event["s"] in ("g", "p", "t"), event
        if ph == "f":
            assert event["bp"] == "e", event
        phases[ph].append(event)
    _check_slices(phases["X"])
    _check_flows(phases["s"], phases["f"], phases["X"])
    named = {e["tid"] for e in phases["M"] if e["name"] == "thread_name"}
    assert {e["tid"] for e in phases["X"]} <= named, "a thread without a thread_name"
    return phases


def _check_slices(slices):
    """On one thread, complete events follow each other (a task is in one state at a time)."""
    by_tid = collections.defaultdict(list)
    for event in slices:
        by_tid[event["tid"]].append(event)
    for events in by_tid.values():
        events.sort(key=lambda e: e["ts"])
        for a, b in zip(events, events[1:]):
            assert a["ts"] + a["dur"] <= b["ts"] + 0.002, (a, b)


def _check_flows(starts, finishes, slices):
    """Each flow has one start and one finish, same id, name and category, the start first,
    and each end lies inside a step (an X event) of its thread."""
    assert len({e["id"] for e in starts}) == len(starts)
    by_id = {e["id"]: e for e in starts}
    assert sorted(by_id) == sorted(e["id"] for e in finishes)
    for finish in finishes:
        start = by_id[finish["id"]]
        assert (start["name"], start["cat"]) == (finish["name"], finish["cat"])
        assert start["ts"] <= finish["ts"] + 0.002, (start, finish)
    steps = collections.defaultdict(list)
    for event in slices:
        if event["cat"] == "running":
            steps[event["tid"]].append((event["ts"], event["ts"] + event["dur"]))
    for end in starts + finishes:
        assert any(a - 0.002 <= end["ts"] <= b + 0.002 for a, b in steps[end["tid"]]), ("not in a step", end)
