"""benchmarks/http_client.py: its arguments, its table, its skip without nginx (no timing here)."""

import pytest

from benchmarks import http_client


def test_quick_sizes_and_unknown_clients():
    args = http_client.parse_args(["--quick"])
    assert (args.pages, args.concurrency, args.repeat) == (200, 10, 1)
    assert args.clients == list(http_client.CLIENTS)
    with pytest.raises(SystemExit):
        http_client.parse_args(["--clients", "genlet,curl"])


def test_without_nginx_it_skips_with_a_notice(capsys):
    assert http_client.main(["--quick", "--nginx", "/nonexistent/nginx"]) == 0
    assert "SKIP (nginx is not installed: on Debian and Ubuntu `apt-get update && apt-get install -y nginx`)" in capsys.readouterr().out


def test_the_table_gives_genlets_ratio_and_says_why_a_row_is_empty(tmp_path):
    args = http_client.parse_args(["--quick", "--clients", "genlet,aiohttp,httpx"])
    rows = {
        "genlet": {"runs": [1000.0, 900.0], "best": 1000.0, "why": None},
        "aiohttp": {"runs": [2000.0], "best": 2000.0, "why": None},
        "httpx": {"runs": [], "best": None, "why": "not installed on python: python -m pip install httpx"},
    }
    lines = http_client.table(args, rows)
    assert "| genlet | 1000 | 1.00× | 11% |" in lines
    assert "| aiohttp | 2000 | 0.50× |  |" in lines
    assert "| httpx | not installed on python: python -m pip install httpx | | |" in lines
    page = tmp_path / "page.md"
    page.write_text("before\n%s\nold\n%s\nafter\n" % (http_client.BEGIN, http_client.END))
    http_client.report(str(page), lines, "python -m benchmarks.http_client")
    text = page.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "| genlet | 1000 |" in text and "old" not in text
    assert "## HTTP client (issue 17)" in text  # the section carries its own heading and prose


def test_the_kernel_driver_keeps_the_client_section(tmp_path):
    """Regenerating the kernel page keeps every other driver's section: the client's was lost."""
    from benchmarks import report

    page = tmp_path / "page.md"
    page.write_text("kernel tables\n")
    http_client.report(str(page), ["| genlet | 1 |"], "python -m benchmarks.http_client")
    assert "| genlet | 1 |" in report.kept_sections(str(page))
