# `# noqa` (bare, with the code, with a prefix) silences a line; another code does not.
import genlet


def main():
    genlet.sleep(1)  # noqa
    genlet.sleep(1)  # noqa: GL001
    genlet.sleep(1)  # NOQA:GL001,GL003
    genlet.sleep(1)  # noqa: GL0
    genlet.sleep(1)  # noqa: GL003  # expect: GL001
    genlet.sleep(1)  # expect: GL001
    yield
