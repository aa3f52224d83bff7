"""python -m genlet.lint: the corpus (true positives, and look-alikes that must not be
reported), the command line, and zero findings on genlet's own examples and portable tests."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

from genlet.lint import check_file, check_source, main

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "lint_corpus"


def expected(path):
    """The (line, code) pairs a corpus file marks with ``# expect: GL001``."""
    marks = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for code in re.findall(r"# expect: (GL\d+)", line):
            marks.append((number, code))
    return marks


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.py")))
def test_corpus_reports_exactly_the_marked_lines(name):
    path = CORPUS / name
    found = [(f.line, f.code) for f in check_file(str(path))]
    assert found == expected(path)


def test_the_look_alikes_are_many_and_all_clean():
    source = (CORPUS / "look_alikes.py").read_text()
    assert source.count("\ndef ") >= 15
    assert check_source(source) == []


def codes(source):
    return [(f.line, f.code) for f in check_source(source)]


def test_every_way_of_importing_genlet_is_followed():
    for imported, called in [
        ("import genlet", "genlet.sleep"),
        ("import genlet as g", "g.sleep"),
        ("import genlet.kernel", "genlet.kernel.sleep"),
        ("from genlet import sleep", "sleep"),
        ("from genlet import sleep as pause", "pause"),
        ("from genlet.kernel import sleep", "sleep"),
        ("from genlet.kernel.traps import sleep", "sleep"),
        ("from genlet import kernel", "kernel.sleep"),
    ]:
        source = "%s\ndef main():\n    %s(1)\n    yield\n" % (imported, called)
        assert codes(source) == [(3, "GL001")], imported


def test_an_import_inside_the_function_counts_and_a_local_name_shadows():
    source = "def main():\n    import genlet\n    genlet.sleep(1)\n    yield\n"
    assert codes(source) == [(3, "GL001")]
    source = "import genlet\ndef main():\n    genlet = object()\n    genlet.sleep(1)\n    yield\n"
    assert codes(source) == []


def test_a_genlet_object_at_module_level_is_followed_into_functions():
    source = "import genlet\nlock = genlet.Lock()\ndef main():\n    lock.acquire()\n    yield\n"
    assert codes(source) == [(4, "GL001")]


def test_a_generator_used_later_is_not_dropped():
    source = "import genlet\ndef main():\n    g = genlet.sleep(1)\n    yield\n    yield from g\n"
    assert codes(source) == []


def test_messages_teach_the_fix():
    (finding,) = check_source("import genlet\ndef main():\n    genlet.sleep(1)\n    yield\n")
    assert finding.format("x.py") == (
        "x.py:3:5: GL001 `genlet.sleep(1)` is a blocking operation called without waiting for it: "
        "did you mean `yield from genlet.sleep(1)`?"
    )
    (finding,) = check_source("import genlet, time\ndef main():\n    time.sleep(1)\n    yield\n")
    assert "`yield from genlet.sleep(seconds)`" in finding.message
    (finding,) = check_source("import genlet, subprocess\ndef main():\n    subprocess.run(['ls'])\n    yield\n")
    assert "genlet.io.run_process" in finding.message
    (finding,) = check_source("import genlet, requests\ndef main():\n    requests.post('u')\n    yield\n")
    assert "`yield from genlet.io.run_in_thread(requests.post, ...)`" in finding.message


def test_a_long_call_is_shortened_in_the_message():
    (finding,) = check_source("import genlet\ndef main():\n    genlet.sleep(%s)\n    yield\n" % ("1 + " * 30 + "1"))
    assert "`yield from genlet.sleep(...)`" in finding.message


def test_a_syntax_error_is_raised():
    with pytest.raises(SyntaxError):
        check_source("def (:\n")


# -- the command line -----------------------------------------------------------------------
def lint(*args, cwd=ROOT):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "genlet.lint", *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=env
    )


def test_command_line_prints_as_flake8_and_exits_1(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import genlet\n\ndef main():\n    yield genlet.sleep(1)\n")
    result = lint(str(bad))
    assert result.returncode == 1, result.stderr
    assert result.stdout == "%s:4:5: GL002 `yield genlet.sleep(1)` hands the kernel an operation instead of running it: did you mean `yield from genlet.sleep(1)`?\n" % bad
    assert result.stderr == ""


def test_command_line_exits_0_when_clean_and_walks_directories(tmp_path, capsys):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "sub" / "deep.py").write_text("import genlet\ndef f():\n    genlet.sleep(1)\n    yield\n")
    (tmp_path / "pkg" / "ok.py").write_text("import genlet\ndef f():\n    yield from genlet.sleep(1)\n")
    (tmp_path / "pkg" / "notes.txt").write_text("genlet.sleep(1)\n")
    (tmp_path / "pkg" / ".hidden").mkdir()
    (tmp_path / "pkg" / ".hidden" / "skipped.py").write_text("def (:\n")
    assert main([str(tmp_path / "pkg" / "ok.py")]) == 0
    assert main([str(tmp_path / "pkg")]) == 1
    out = capsys.readouterr().out
    assert out.splitlines() == [out.splitlines()[0]] and "deep.py:3:5: GL001" in out
    assert main(["--ignore", "GL001", str(tmp_path / "pkg")]) == 0
    assert main(["--select", "GL002,GL003", str(tmp_path / "pkg")]) == 0


def test_command_line_exits_2_naming_the_file_it_cannot_parse(tmp_path):
    (tmp_path / "broken.py").write_text("def main(:\n    pass\n")
    (tmp_path / "bad.py").write_text("import genlet\ndef f():\n    genlet.sleep(1)\n    yield\n")
    result = lint(str(tmp_path), str(tmp_path / "missing.py"))
    assert result.returncode == 2
    assert "bad.py:3:5: GL001" in result.stdout  # the other files are still checked
    assert "broken.py: cannot check it: SyntaxError" in result.stderr and "(line 1" in result.stderr
    assert "missing.py: no such file or directory" in result.stderr


def test_command_line_usage_error_exits_2():
    result = lint()
    assert result.returncode == 2
    assert "usage: python -m genlet.lint" in result.stderr


def test_command_line_honours_noqa(tmp_path):
    source = tmp_path / "x.py"
    source.write_text("import genlet\ndef f():\n    genlet.sleep(1)  # noqa: GL001\n    genlet.sleep(2)  # noqa\n    yield\n")
    result = lint(str(source))
    assert (result.returncode, result.stdout) == (0, "")


def test_genlet_own_examples_and_portable_tests_are_clean():
    """What .ci/run checks too: a deliberate mistake in a test program carries its `# noqa`."""
    result = lint("examples", "tests/portable", "genlet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# -- the lint's tables against genlet's own API ---------------------------------------------
def _returns_a_generator(fn):
    import inspect

    try:
        annotation = inspect.signature(fn).return_annotation
    except (TypeError, ValueError):
        return False
    return inspect.isgeneratorfunction(fn) or "Generator" in str(annotation)


def test_the_tables_name_every_blocking_operation_of_genlet():
    """A new blocking function or method in genlet must be added to genlet/lint/table.py."""
    import inspect

    import genlet
    import genlet.http
    import genlet.io
    import genlet.kernel
    from genlet.lint.table import ENTERED_AS_ITSELF, MAKERS, METHODS, OPERATIONS, PLAIN_TOO

    families = {"core": (genlet, genlet.kernel), "io": (genlet.io,), "http": (genlet.http,)}
    for family, modules in families.items():
        functions = set()
        for module in modules:
            for name in module.__all__:
                obj = getattr(module, name)
                if inspect.isfunction(obj) and _returns_a_generator(obj) and name not in PLAIN_TOO:
                    functions.add(name)
        assert functions == set(OPERATIONS[family]), family
    every_module = [m for modules in families.values() for m in modules]
    assert {t for makers in MAKERS.values() for t in makers.values()} <= set(METHODS)
    for made, methods in METHODS.items():
        cls = next(getattr(m, made) for m in every_module if made in m.__all__)
        blocking = {
            name
            for name, fn in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_") and _returns_a_generator(fn) and "%s.%s" % (made, name) not in PLAIN_TOO
        }
        assert blocking == set(methods), made
        entered = inspect.signature(cls.__enter__).return_annotation if hasattr(cls, "__enter__") else None
        assert (made in ENTERED_AS_ITSELF) == (entered in (made, "Socket")), made


# -- the flake8 plugin ------------------------------------------------------------------------
def _flake8_plugin_path(tmp_path):
    """A PYTHONPATH entry that registers the plugin as pyproject.toml declares it, for a
    checkout where genlet is not installed (installed, its own entry point is used)."""
    from importlib import metadata

    text = (ROOT / "pyproject.toml").read_text()
    section = re.search(r'\[project\.entry-points\."flake8\.extension"\]\n((?:[^\[\n].*\n)+)', text)
    assert section, "pyproject.toml declares no flake8.extension entry point"
    entries = re.findall(r'^(\w+)\s*=\s*"([\w.:]+)"', section.group(1), re.M)
    assert entries == [("GL", "genlet.lint.plugin:Plugin")]
    found = metadata.entry_points()
    group = found.select(group="flake8.extension") if hasattr(found, "select") else found.get("flake8.extension", [])
    installed = [e for e in group if e.value.startswith("genlet.")]
    if installed:
        return str(ROOT)
    info = tmp_path / "site" / "genlet_lint_test-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: genlet-lint-test\nVersion: 0\n")
    (info / "entry_points.txt").write_text("[flake8.extension]\n%s = %s\n" % entries[0])
    return str(tmp_path / "site") + os.pathsep + str(ROOT)


def test_flake8_plugin_reports_and_honours_noqa(tmp_path):
    pytest.importorskip("flake8", reason="flake8 is not installed (it is in the dev extra)")
    source = tmp_path / "prog.py"
    source.write_text("import genlet\n\n\ndef main():\n    genlet.sleep(1)\n    genlet.sleep(2)  # noqa: GL001\n    yield\n")
    env = dict(os.environ, PYTHONPATH=_flake8_plugin_path(tmp_path))
    command = [sys.executable, "-m", "flake8", "--select", "GL", str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=str(tmp_path))
    assert result.returncode == 1, result.stderr
    assert result.stdout == "%s:5:5: GL001 `genlet.sleep(1)` is a blocking operation called without waiting for it: did you mean `yield from genlet.sleep(1)`?\n" % source
    versions = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, env=env)
    # flake8 names the distribution that registered the plugin: "genlet" when genlet is
    # installed (CI's editable install), the temporary record's name otherwise.
    assert re.search(r"\bgenlet(-lint-test)?: ", versions.stdout), versions.stdout
