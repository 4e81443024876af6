"""A process for the fault tests to kill: it imports a file, or submits in a loop.

    python tests/support/fault_target.py import DATABASE_URL FILE.csv
        imports FILE.csv (creating missing rounds and organisations) and prints
        ``written DONE of TOTAL`` each time a chunk of responses has been written
        inside the one transaction of the import;
    python tests/support/fault_target.py submit DATABASE_URL CODE [CODE ...]
        submits answers for the open round again and again, cycling through the
        invite codes, and prints ``stored SUBMISSION_ID`` once each submission has
        been acknowledged (``submit`` has returned).

Every line is flushed at once, so the test reading it knows how far the process got.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR))

from collab.domain.submissions import AnswerInput, submit  # noqa: E402
from collab.files.imports import import_responses  # noqa: E402
from collab.store.db import Database  # noqa: E402
from collab.store.framework import load_framework  # noqa: E402


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run_import(db: Database, path: Path) -> None:
    framework = load_framework()
    import_responses(
        db,
        framework=framework,
        data=path.read_bytes(),
        create_missing=True,
        max_bytes=1_000_000_000,
        progress=lambda done, total: say(f"written {done} of {total}"),
        actor="admin",
    )
    say("import committed")


def run_submissions(db: Database, codes: list[str]) -> None:
    framework = load_framework()
    n = 0
    while True:
        answers = {
            point: AnswerInput(score=(n + i) % 5 + 1, comment=f"form {n}")
            for i, point in enumerate(framework.point_keys)
        }
        receipt = submit(db, framework=framework, code=codes[n % len(codes)], answers=answers)
        say(f"stored {receipt.submission_id}")
        n += 1


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    db = Database.from_url(url)
    if command == "import":
        run_import(db, Path(rest[0]))
    elif command == "submit":
        run_submissions(db, rest)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
