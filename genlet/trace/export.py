"""Writing a record: the HTML viewer (one self-contained file) or Chrome's trace-event JSON.

The file's extension picks the format: ``.html`` (or ``.htm``) is the viewer, with its script,
its style and the trace inlined (no network: it opens from a disk, offline, years later);
``.json`` is the Trace Event Format that Perfetto (ui.perfetto.dev) and ``chrome://tracing``
open, for traces too large for the page.
"""

import html as _html
import json
import os
from importlib import resources
from typing import Any, Dict, List, Optional

from .recorder import Recorder
from .timeline import IDLE, READY, RUNNING, WAITING, Lane, Timeline

_STATES = [RUNNING, READY, WAITING, IDLE]  # the viewer's state codes: their index here
_PID = 1  # one process: the kernel; a thread id per task (the kernel's own lane is 0)


def write(recorder: Recorder, path: str, title: Optional[str] = None) -> str:
    """Write ``recorder``'s record to ``path`` in the format its extension names; return path."""
    if format_of(path) == "html":
        text = to_html(recorder, title or os.path.basename(path))
    else:
        text = json.dumps(to_chrome(recorder), separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    return path


def format_of(path: str) -> str:
    """"html" or "json", from the file's extension; a ValueError that says what to write."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext in (".html", ".htm"):
        return "html"
    if ext == ".json":
        return "json"
    raise ValueError(
        "cannot tell the trace format from %r: name the file *.html (the viewer, one "
        "self-contained page) or *.json (Chrome trace events, for Perfetto)" % (path,)
    )


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 3)


# -- Chrome's Trace Event Format --------------------------------------------------------------


def to_chrome(recorder: Recorder) -> Dict[str, Any]:
    """The record as a Trace Event Format object (``{"traceEvents": [...], ...}``).

    A task is a thread (``tid`` = its id) of one process; each state is an ``X`` (complete)
    event; spawns, cancellations and exits are instant ``i`` events; a hand-off is a flow:
    an ``s`` event inside the waker's step and an ``f`` event (``bp: "e"``) at the start of
    the woken task's next step.
    """
    timeline = Timeline(recorder)
    events = [_meta(0, "process_name", {"name": "genlet"})]  # type: List[Dict[str, Any]]
    for lane in timeline.ordered():
        events.append(_meta(lane.task, "thread_name", {"name": lane.name}))
        events.append(_meta(lane.task, "thread_sort_index", {"sort_index": lane.task}))
        events.extend(_chrome_slices(lane))
    for number, flow in enumerate(timeline.flows, 1):
        common = {"name": flow.label, "cat": "hand-off", "id": number, "pid": _PID}
        events.append(dict(common, ph="s", tid=flow.source, ts=_us(flow.start)))
        events.append(dict(common, ph="f", bp="e", tid=flow.target, ts=_us(flow.end)))
    clock = "virtual clock: real time plus the time jumped" if timeline.virtual else "real time"
    return {"traceEvents": events, "displayTimeUnit": "ms", "otherData": {"generator": "genlet.trace", "clock": clock}}


def _meta(tid: int, name: str, args: Dict[str, Any]) -> Dict[str, Any]:
    return {"ph": "M", "pid": _PID, "tid": tid, "name": name, "args": args}


def _chrome_slices(lane: Lane) -> List[Dict[str, Any]]:
    out = []  # type: List[Dict[str, Any]]
    for piece in lane.slices:
        name = piece.info.split(" at ")[0].split(";")[0] if piece.state == WAITING else piece.state
        ts = _us(piece.start)
        event = {"ph": "X", "pid": _PID, "tid": lane.task, "ts": ts, "name": name, "cat": piece.state}  # type: Dict[str, Any]
        event["dur"] = max(0.0, round(_us(piece.end) - ts, 3))
        if piece.info:
            event["args"] = {"info": piece.info}
        out.append(event)
    for at, mark in lane.marks:
        out.append({"ph": "i", "s": "t", "pid": _PID, "tid": lane.task, "ts": _us(at), "name": mark, "cat": "task"})
    return out


# -- the HTML viewer --------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def to_data(recorder: Recorder) -> Dict[str, Any]:
    """The record as the viewer reads it: lanes of ``[state, start, end, info]`` slices
    (microseconds; state and info as indexes into ``states`` and ``strings``) and flows
    ``[source lane, start, target lane, end, label]``."""
    timeline = Timeline(recorder)
    strings = {"": 0}  # type: Dict[str, int]

    def intern(text: str) -> int:
        return strings.setdefault(text, len(strings))

    lanes, index = [], {}  # type: List[Dict[str, Any]], Dict[int, int]
    for lane in timeline.ordered():
        index[lane.task] = len(lanes)
        slices = [[_STATES.index(s.state), _us(s.start), _us(s.end), intern(s.info)] for s in lane.slices]
        marks = [[_us(at), intern(mark)] for at, mark in lane.marks]
        lanes.append({"id": lane.task, "name": lane.name, "parent": lane.parent, "outcome": lane.outcome, "s": slices, "m": marks})
    flows = [
        [index[f.source], _us(f.start), index[f.target], _us(f.end), intern(f.label)]
        for f in timeline.flows
        if f.source in index and f.target in index
    ]
    return {
        "states": _STATES, "lanes": lanes, "flows": flows, "strings": list(strings),
        "span": _us(timeline.span), "virtual": timeline.virtual, "events": len(recorder),
    }  # fmt: skip


def to_html(recorder: Recorder, title: str = "genlet trace") -> str:
    """One self-contained page: the viewer's HTML, CSS and script with the trace inlined."""
    # Discussion: no "<" inside the script element at all, so no "</script>" or "<!--" in a
    # task's name or a file's path can end it early ("\u003c" is "<" to JSON).
    data = json.dumps(to_data(recorder), separators=(",", ":")).replace("<", "\\u003c")
    page = _asset("viewer.html")
    for slot, text in (("STYLE", _asset("viewer.css")), ("SCRIPT", _asset("viewer.js")), ("DATA", data)):
        page = page.replace("/*%s*/" % slot, text, 1)
    return page.replace("<!--TITLE-->", _html.escape(title), 2)
