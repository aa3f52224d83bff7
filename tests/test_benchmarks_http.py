"""The HTTP server benchmarks never rot: ``python -m benchmarks.http_server --quick`` runs.

Nothing here is about speed: tiny sizes, genlet's servers only (a peer that is not installed
gets its "missing" row), and the checks are that every row ran and the page's section is
written, replaced, and kept when the kernel driver rewrites the rest of the page. The wrk rows
need wrk (`apt-get install wrk`); without it they must say so, and that test is skipped.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from benchmarks import http_report, http_server, report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENLET = ("genlet-wsgi-inline", "genlet-wsgi", "genlet-server")


def quick(tmp_path, *options):
    out = tmp_path / "http.json"
    command = [sys.executable, "-m", "benchmarks.http_server", "--quick", "--json", str(out)] + list(options)
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    run = json.loads(out.read_text())
    done.meta = run["meta"]
    return done, {(row["workload"], row["lib"]): row for row in run["rows"]}


def test_the_memory_row_measures_genlet_and_writes_the_page_section(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# a page\n\nwritten by someone else\n")
    done, rows = quick(tmp_path, "--only", "memory", "--servers", "genlet-server,genlet-wsgi-inline", "--report", str(page))
    for server in ("genlet-server", "genlet-wsgi-inline"):
        row = rows[("memory", server)]
        assert row["status"] == "ok" and row["alive"] == 40 and len(row["values"]) == 1, row
    assert set(rows) == {("memory", "genlet-server"), ("memory", "genlet-wsgi-inline")}
    text = page.read_text()
    assert text.startswith("# a page\n\nwritten by someone else\n") and text.count(http_report.BEGIN) == 1
    assert "## HTTP servers (issue 16)" in text and "`--quick` run" in text and "| memory: per idle" in text
    assert "bytes/connection" in done.stdout
    again = subprocess.run(  # --from-json: the same tables from the saved run, measuring nothing
        [sys.executable, "-m", "benchmarks.http_server", "--from-json", str(tmp_path / "http.json")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60,
    )  # fmt: skip
    assert again.returncode == 0 and again.stdout == done.stdout and "measuring" not in again.stderr


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_the_wrk_rows_measure_genlet_and_a_missing_peer_says_so(tmp_path):
    page = tmp_path / "page.md"
    options = ("--only", "hello,blocking", "--servers", ",".join(GENLET + ("waitress",)), "--profile", "--report", str(page))
    done, rows = quick(tmp_path, *options)
    for server in GENLET:
        row = rows[("hello", server)]
        assert row["status"] == "ok" and row["values"][0] > 0 and row["best_p99"] > 0 and row["best_cpu"] > 0, row
    assert rows[("blocking", "genlet-wsgi")]["status"] == "ok", rows[("blocking", "genlet-wsgi")]
    for workload in ("hello", "blocking"):  # installed or not, waitress has its row
        assert rows[(workload, "waitress")]["status"] in ("ok", "missing"), rows[(workload, "waitress")]
    assert "| **hello**" in done.stdout and "≥ 1.5× the fastest peer" in done.stdout
    for server in http_server.PROFILED:  # --profile: where the time goes, in the page too
        top = done.meta["profiles"][server]["top"]
        assert top and any(name.startswith("genlet/") for name, _, _ in top), top
    assert "### Where genlet's time goes" in page.read_text()


def test_without_wrk_the_wrk_rows_say_how_to_install_it(tmp_path):
    done, rows = quick(tmp_path, "--only", "hello", "--servers", "genlet-server", "--wrk", "no-such-wrk")
    row = rows[("hello", "genlet-server")]
    assert row["status"] == "missing" and "apt-get install wrk" in row["note"], row
    assert "apt-get install wrk" in done.stderr


WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.13ms  310.22us   9.80ms   91.02%
    Req/Sec    23.55k     1.01k   24.61k    88.00%
  Latency Distribution
     50%    2.08ms
     75%    2.20ms
     90%    2.35ms
     99%  950.00us
  117171 requests in 5.00s, 16.65MB read
  Socket errors: connect 0, read 3, write 0, timeout 0
  Non-2xx or 3xx responses: 7
Requests/sec:  23430.12
Transfer/sec:      3.33MB
"""


def test_wrk_output_is_read_with_its_units_and_errors():
    found = http_server.parse_wrk(WRK_OUTPUT)
    assert found["rate"] == 23430.12 and found["requests"] == 117171 and found["p50"] == 2.08 and found["p99"] == pytest.approx(0.95)
    assert found["errors"] == "socket errors: connect 0, read 3, write 0, timeout 0, 7 non-2xx responses"
    assert "error" in http_server.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def rows_for(figures):
    rows = [
        {"workload": workload, "lib": lib, "status": "ok", "values": [value], "p99": [1.0], "note": ""}
        for (workload, lib), value in figures.items()
    ]
    return http_report.finish(rows, http_server.WORKLOADS, {"size": http_server.SIZES["full"]})


def test_the_goals_compare_with_the_fastest_pure_python_peer_and_with_httptools():
    rows = rows_for({
        ("hello", "genlet-wsgi-inline"): 30000.0, ("hello", "genlet-server"): 27000.0,
        ("hello", "waitress"): 14000.0, ("hello", "gevent"): 1000.0, ("hello", "gevent-nodelay"): 15000.0,
        ("hello", "uvicorn-httptools"): 40000.0,
        ("memory", "genlet-wsgi-inline"): 3000.0, ("memory", "gevent"): 9000.0,
    })  # fmt: skip
    (pure, pure_text, pure_met), (ceiling, ceiling_text, ceiling_met), (_, memory_text, memory_met) = http_report.goals(rows)
    assert pure_text.startswith("2.00× gevent.pywsgi + TCP_NODELAY") and pure_met is True, pure_text
    assert "`Server` (cooperative): 1.80×" in pure_text
    assert ceiling_text.startswith("0.75× uvicorn + httptools") and ceiling_met is True
    assert memory_text.startswith("3.00× gevent.pywsgi") and memory_met is True  # a third of gevent's bytes
    assert http_report.goals(rows_for({("hello", "genlet-wsgi-inline"): 1.0}))[0][1:] == ("not measured", None)


def test_the_kernel_driver_keeps_the_http_section_when_it_rewrites_the_page(tmp_path):
    page = tmp_path / "page.md"
    section = http_report.BEGIN + "\n## HTTP servers\n\nfigures\n" + http_report.END + "\n"
    page.write_text("# old page\n\n" + section)
    assert report.kept_sections(str(page)) == section
    http_report.write(str(page), section.replace("figures", "new figures"))
    assert page.read_text() == "# old page\n\n" + section.replace("figures", "new figures")
    assert report.kept_sections(str(tmp_path / "none.md")) == ""
