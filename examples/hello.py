"""The README's first example: three workers that sleep, then square their number."""

import genlet


def worker(n):
    yield from genlet.sleep(0.1 * n)
    return n * n


def main():
    tasks = [genlet.spawn(worker, i) for i in range(3)]
    results = []
    for t in tasks:
        results.append((yield from t.join()))
    return results


if __name__ == "__main__":
    print(genlet.run(main))  # [0, 1, 4]
