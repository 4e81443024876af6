"""The command line, ``python -m collab``: set-up, demo, rounds, codes, import, export,
backup and the audit log.

The database comes from DATABASE_URL (default: the SQLite file in ``data/``) and the
framework from the settings. A problem the user can fix is printed as ``error: ...`` and
the command exits with status 1; no traceback. Every change, export and backup goes
through the same domain functions as the pages, recorded with the actor ``command line``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.exc as sa_exc

from collab.domain.answers import participation
from collab.domain.audit import COMMAND_LINE, recent_entries
from collab.domain.backup import backup_database
from collab.domain.invite_codes import (
    create_invite_codes,
    invite_link,
    list_invite_codes,
    loopback_warning,
    revoke_invite_code,
)
from collab.domain.organisations import (
    create_organisation,
    get_organisation,
    list_organisations,
    rename_organisation,
    set_organisation_active,
)
from collab.domain.rounds import (
    close_round,
    create_round,
    current_round,
    list_rounds,
    open_round,
    set_live_results,
)
from collab.domain.snapshots import pending
from collab.files.exports import EXPORTS, FORMATS, export_round
from collab.files.imports import apply_import, check_import, size_problem
from collab.present.code_sheet import code_cards, code_links_csv, code_sheet_html
from collab.store.config import (
    PROJECT_DIR,
    Settings,
    SettingsError,
    get_settings,
)
from collab.store.db import Database
from collab.store.errors import CollabError, NotFound, Refused
from collab.store.framework import Framework, FrameworkError, load_framework

EXPORT_KINDS = tuple(EXPORTS)
DEMO_LINKS_SHOWN = 3
PASSCODE_SETTINGS = (
    ("COLLAB_LEADERSHIP_PASSCODE", "leadership team", "leadership_passcode"),
    ("COLLAB_ADMIN_PASSCODE", "administrator", "admin_passcode"),
)


def describe_database(url: str) -> str:
    """Where the database is, for people to read; a password in the URL is masked."""
    parsed = sa.engine.make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"SQLite file {parsed.database}" if parsed.database else "SQLite in memory"
    return parsed.render_as_string(hide_password=True)


class _Context:
    """What one command needs, opened on first use: settings, framework, database."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.where = describe_database(settings.database_url)
        self._db: Database | None = None

    @cached_property
    def framework(self) -> Framework:
        return load_framework(self.settings.framework_path)

    def database(self, *, schema_needed: bool = True) -> Database:
        if self._db is None:
            self._db = Database.from_url(self.settings.database_url)
        if schema_needed and not sa.inspect(self._db.engine).has_table("rounds"):
            raise Refused(
                f"The database ({self.where}) has no tables yet. Run `python -m collab init` first."
            )
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns."""
    cells = [[str(h) for h in headers]] + [
        ["" if v is None else str(v) for v in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD") from exc


def _yes(value: bool) -> str:
    return "yes" if value else "no"


# --- init, demo, serve ------------------------------------------------------------------


def _init(ctx: _Context, args: argparse.Namespace) -> int:
    framework = ctx.framework
    ctx.database(schema_needed=False).upgrade()
    print(
        f"Framework: {framework.title} ({len(framework.learning_points)} learning points, "
        f"{len(framework.groups)} stakeholder groups) from {ctx.settings.framework_path}"
    )
    print(f"Database ready: {ctx.where}")
    return 0


def _demo(ctx: _Context, args: argparse.Namespace) -> int:
    from collab import demo

    db = ctx.database()
    if args.if_empty and not demo.is_empty(db):
        print("The database already holds data, so the demo alliance was not loaded.")
        return 0
    options = {} if args.seed is None else {"seed": args.seed}
    summary = demo.build_demo(db, framework=ctx.framework, **options)
    print(f"Loaded the DEMO alliance (invented data for trying the app) into {ctx.where}:")
    print(f"  {summary.organisations} organisations")
    for name in summary.rounds:
        print(f"  round '{name}': {summary.respondents_by_round.get(name, 0)} responses")
    if summary.invite_codes:
        print("Demo invite links for the open round:")
        for organisation, group, code in summary.invite_codes[:DEMO_LINKS_SHOWN]:
            link = invite_link(ctx.settings.base_url, code)
            print(f"  {organisation} ({ctx.framework.group_name(group)}): {link}")
    return 0


def _serve(ctx: _Context, args: argparse.Namespace) -> int:
    from collab import demo

    db = ctx.database()
    environment = dict(os.environ)
    missing = [
        (variable, role)
        for variable, role, attribute in PASSCODE_SETTINGS
        if not getattr(ctx.settings, attribute)
    ]
    if missing and demo.is_demo(db):
        demo_passcodes = {
            "COLLAB_LEADERSHIP_PASSCODE": demo.DEMO_LEADERSHIP_PASSCODE,
            "COLLAB_ADMIN_PASSCODE": demo.DEMO_ADMIN_PASSCODE,
        }
        print("This is the DEMO alliance. Sign in with these demo passcodes:")
        for variable, role in missing:
            environment[variable] = demo_passcodes[variable]
            print(f"  {role}: {demo_passcodes[variable]}")
        print("They are demo passcodes: set your own before you enter real answers.")
    elif missing:
        names = " and ".join(variable for variable, _ in missing)
        print(
            f"No passcode is set for {' and '.join(role for _, role in missing)} sign-in, "
            "so it stays switched off.\n"
            f"To switch it on, set {names} in the environment or in .streamlit/secrets.toml "
            "(copy .streamlit/secrets.toml.example; the README explains)."
        )
    # The app behind the upload guard (collab/web/server.py): uploads only for the
    # administrator's import, none larger than COLLAB_MAX_IMPORT_BYTES.
    command = [sys.executable, "-m", "collab.web.server"]
    if args.port:
        command += ["--port", str(args.port)]
    ctx.close()
    sys.stdout.flush()
    os.chdir(PROJECT_DIR)
    os.execvpe(sys.executable, command, environment)
    return 0


# --- rounds -------------------------------------------------------------------------------


def _rounds_create(ctx: _Context, args: argparse.Namespace) -> int:
    db = ctx.database()
    if args.open:
        already_open = current_round(db)
        if already_open is not None:
            raise Refused(
                f"Round '{already_open.name}' is still open. Close it first, or create this "
                "round without --open and use `rounds open NAME --allow-several`."
            )
    info = create_round(
        db,
        actor=COMMAND_LINE,
        name=args.name,
        opens_on=args.opens,
        closes_on=args.closes,
        live_results=args.live_results,
    )
    if args.open:
        info = open_round(db, actor=COMMAND_LINE, name=info.name)
    print(f"created round '{info.name}' ({info.status_text})")
    return 0


def _rounds_open(ctx: _Context, args: argparse.Namespace) -> int:
    info = open_round(
        ctx.database(), actor=COMMAND_LINE, name=args.name, allow_several=args.allow_several
    )
    print(f"round '{info.name}' is open: members can submit answers")
    return 0


def _rounds_close(ctx: _Context, args: argparse.Namespace) -> int:
    info = close_round(ctx.database(), actor=COMMAND_LINE, name=args.name)
    print(f"round '{info.name}' is closed: its results are now shown")
    return 0


def _rounds_live(ctx: _Context, args: argparse.Namespace) -> int:
    info = set_live_results(
        ctx.database(), actor=COMMAND_LINE, name=args.name, on=args.state == "on"
    )
    print(f"live results for round '{info.name}' are {args.state}")
    return 0


def _rounds_list(ctx: _Context, args: argparse.Namespace) -> int:
    db = ctx.database()
    rounds = list_rounds(db)
    if not rounds:
        print("No rounds yet. Create one with `python -m collab rounds create NAME`.")
        return 0
    rows = [
        (
            r.name,
            r.status_text,
            _yes(r.live_results),
            r.opens_on,
            r.closes_on,
            int(participation(db, round_id=r.id)["n"].sum()),
        )
        for r in rounds
    ]
    print(_table(["round", "status", "live results", "opens", "closes", "responses"], rows))
    return 0


# --- organisations ------------------------------------------------------------------------


def _organisations_add(ctx: _Context, args: argparse.Namespace) -> int:
    info = create_organisation(ctx.database(), actor=COMMAND_LINE, name=args.name)
    print(f"added organisation '{info.name}'")
    return 0


def _organisations_list(ctx: _Context, args: argparse.Namespace) -> int:
    organisations = list_organisations(ctx.database())
    if not organisations:
        print("No organisations yet. Add one with `python -m collab organisations add NAME`.")
        return 0
    print(_table(["organisation", "active"], [(o.name, _yes(o.active)) for o in organisations]))
    return 0


def _organisations_rename(ctx: _Context, args: argparse.Namespace) -> int:
    db = ctx.database()
    old = get_organisation(db, args.old)
    info = rename_organisation(db, actor=COMMAND_LINE, organisation_id=old.id, name=args.new)
    print(f"renamed '{old.name}' to '{info.name}'")
    return 0


def _set_active(active: bool) -> Callable[[_Context, argparse.Namespace], int]:
    def command(ctx: _Context, args: argparse.Namespace) -> int:
        db = ctx.database()
        info = set_organisation_active(
            db,
            actor=COMMAND_LINE,
            organisation_id=get_organisation(db, args.name).id,
            active=active,
        )
        print(f"'{info.name}' is {'active' if active else 'deactivated'}")
        return 0

    return command


# --- invite codes -------------------------------------------------------------------------


def _codes_create(ctx: _Context, args: argparse.Namespace) -> int:
    made = create_invite_codes(
        ctx.database(),
        actor=COMMAND_LINE,
        framework=ctx.framework,
        organisation=args.organisation,
        stakeholder_group=args.group,
        personal=args.personal,
        count=args.count,
        response_cap=args.cap,
    )
    cards = code_cards(made, framework=ctx.framework, base_url=ctx.settings.base_url)
    warning = loopback_warning(ctx.settings.base_url)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if args.sheet:
        _write(
            Path(args.sheet),
            code_sheet_html(cards, title=f"Invite codes: {cards[0].organisation}").encode(),
        )
    if args.links:
        _write(Path(args.links), code_links_csv(cards))
    if args.json:
        records = [
            {
                "id": card.number,
                "organisation": card.organisation,
                "group": info.stakeholder_group,
                "kind": "personal" if info.personal else "shared",
                "cap": info.response_cap,
                "code": card.code,
                "link": card.link,
            }
            for card, (info, _code) in zip(cards, made, strict=True)
        ]
        print(json.dumps(records[0] if len(records) == 1 else records))
        return 0
    first = made[0][0]
    print(
        f"{len(made)} invite code{'s' if len(made) != 1 else ''} ({first.kind_text}) for "
        f"{first.organisation}, {cards[0].group}:\n"
    )
    for card in cards:
        print(f"    no. {card.number}  {card.code}  {card.link}")
    print("\nThe codes are shown only this once (only a fingerprint of each is kept).")
    if args.sheet:
        print(f"Printable sheet: {args.sheet}")
    if args.links:
        print(f"Links for a mail merge: {args.links}")
    return 0


def _codes_revoke(ctx: _Context, args: argparse.Namespace) -> int:
    info = revoke_invite_code(ctx.database(), actor=COMMAND_LINE, code_id=args.id)
    print(f"revoked invite code {info.id} ({info.organisation}, {info.stakeholder_group})")
    return 0


def _codes_list(ctx: _Context, args: argparse.Namespace) -> int:
    codes = list_invite_codes(ctx.database())
    records = [
        {
            "id": c.id,
            "organisation": c.organisation,
            "group": c.stakeholder_group,
            "revoked": c.revoked,
            "uses": c.uses,
            "created": c.created_at.isoformat(timespec="seconds"),
        }
        for c in codes
    ]
    if args.json:
        print(json.dumps(records, indent=2))
    elif not records:
        print("No invite codes yet. Create one with `python -m collab codes create`.")
    else:
        rows = [
            (
                c.id,
                c.organisation,
                c.stakeholder_group,
                _yes(c.revoked),
                c.uses,
                c.created_at.isoformat(timespec="seconds"),
            )
            for c in codes
        ]
        print(_table(["id", "organisation", "group", "revoked", "uses", "created"], rows))
    return 0


# --- import and export --------------------------------------------------------------------


def _import(ctx: _Context, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise NotFound(f"There is no file {path}.") from exc
    except OSError as exc:
        raise Refused(f"Cannot read {path}: {exc.strerror}.") from exc
    limit = ctx.settings.max_import_bytes
    too_big = size_problem(size, limit)
    if too_big:
        raise Refused(str(too_big))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(f"Cannot read {path}: {exc.strerror}.") from exc
    db = ctx.database()
    plan = check_import(
        db,
        framework=ctx.framework,
        data=data,
        create_missing=args.create_missing,
        max_bytes=limit,
        max_comment_chars=ctx.settings.max_comment_chars,
        amend=args.amend,
    )
    if plan.problems:
        for problem in plan.problems:
            print(problem, file=sys.stderr)
        count = len(plan.problems)
        print(
            f"error: {count} problem{'s' if count != 1 else ''} in {path}; nothing was imported.",
            file=sys.stderr,
        )
        return 1
    written = apply_import(db, plan, actor=COMMAND_LINE, file_name=path.name)
    print(f"imported {written} response{'s' if written != 1 else ''}")
    if plan.rounds_to_create:
        print(f"created closed round(s): {', '.join(plan.rounds_to_create)}")
    if plan.organisations_to_create:
        print(f"created organisation(s): {', '.join(plan.organisations_to_create)}")
    if plan.replaced:
        print(f"replaced {plan.replaced} earlier response(s) (amendment, in the audit log)")
    for round_name in sorted({row.round for row in plan.rows}):
        waiting = pending(db, round_name=round_name, min_group_size=ctx.settings.min_group_size)
        text = waiting.waiting_text(ctx.framework.group_name)
        if text:
            print(f"note: {text}")
    return 0


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise Refused(f"Cannot write {path}: {exc.strerror}.") from exc


def _export(ctx: _Context, args: argparse.Namespace) -> int:
    if args.what not in EXPORTS:
        raise Refused(
            f"Exporting the {args.what} is not available in this version; "
            f"it can export: {', '.join(EXPORTS)}."
        )
    if args.output is None and args.format == "xlsx" and sys.stdout.isatty():
        raise Refused("An Excel file can't be shown in a terminal; save it with -o FILE.xlsx.")
    data = export_round(
        ctx.database(),
        actor=COMMAND_LINE,
        framework=ctx.framework,
        what=args.what,
        round_name=args.round,
        fmt=args.format,
    )
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    _write(Path(args.output), data)
    print(f"wrote {args.output} ({len(data):,} bytes)")
    return 0


def _report(ctx: _Context, args: argparse.Namespace) -> int:
    from collab.present.pack import build_meeting_pack, build_meeting_workbook

    db, framework = ctx.database(), ctx.framework
    options = {
        "framework": framework,
        "round_name": args.round,
        "min_group_size": ctx.settings.min_group_size,
    }
    output = Path(args.output)
    try:
        if output.suffix.lower() == ".xlsx":
            output.write_bytes(build_meeting_workbook(db, **options))
        else:
            output.write_text(build_meeting_pack(db, **options), encoding="utf-8")
    except OSError as exc:
        raise Refused(f"Cannot write {args.output}: {exc.strerror}.") from exc
    print(f"wrote the meeting pack for round '{args.round}' to {output}")
    return 0


def _backup(ctx: _Context, args: argparse.Namespace) -> int:
    result = backup_database(ctx.database(), Path(args.file), actor=COMMAND_LINE)
    print(f"backed up {ctx.where} to {result.path} ({result.bytes:,} bytes, checked: ok)")
    return 0


def _audit(ctx: _Context, args: argparse.Namespace) -> int:
    entries = recent_entries(ctx.database(), limit=args.limit)
    records = [
        {
            "at": row.at.isoformat(timespec="seconds"),
            "actor": row.actor,
            "action": row.action,
            "detail": row.detail,
        }
        for row in entries.itertuples(index=False)
    ]
    if args.json:
        print(json.dumps(records, indent=2))
    elif not records:
        print("The audit log is empty: no change has been made yet.")
    else:
        rows = [(r["at"], r["actor"], r["action"], r["detail"]) for r in records]
        print(_table(["at (UTC)", "actor", "action", "detail"], rows))
    return 0


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 1 up")
    return number


# --- the parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m collab",
        description="Alliance self-assessment dashboard: set-up and administration.",
        epilog="The database is DATABASE_URL (default: data/alliance.db).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="check the framework, create or upgrade the schema")
    init.set_defaults(handler=_init)

    demo = commands.add_parser("demo", help="load the demo alliance into an empty database")
    demo.add_argument("--seed", type=int, help="another seed gives other invented answers")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when the database holds data"
    )
    demo.set_defaults(handler=_demo)

    serve = commands.add_parser("serve", help="run the app (Streamlit)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8501)")
    serve.set_defaults(handler=_serve)

    rounds = commands.add_parser("rounds", help="create, open, close and list rounds")
    rounds_commands = rounds.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = rounds_commands.add_parser("create", help="create a round (closed unless --open)")
    create.add_argument("name")
    create.add_argument("--opens", type=_date, metavar="YYYY-MM-DD")
    create.add_argument("--closes", type=_date, metavar="YYYY-MM-DD")
    create.add_argument("--open", action="store_true", help="open it straight away")
    create.add_argument(
        "--live-results", action="store_true", help="show results while the round is open"
    )
    create.set_defaults(handler=_rounds_create)
    open_ = rounds_commands.add_parser("open", help="open a round for answers")
    open_.add_argument("name")
    open_.add_argument("--allow-several", action="store_true", help="keep other open rounds open")
    open_.set_defaults(handler=_rounds_open)
    close = rounds_commands.add_parser("close", help="close a round; its results show")
    close.add_argument("name")
    close.set_defaults(handler=_rounds_close)
    live = rounds_commands.add_parser("live", help="show results while a round is open")
    live.add_argument("name")
    live.add_argument("state", choices=["on", "off"])
    live.set_defaults(handler=_rounds_live)
    rounds_commands.add_parser("list", help="list every round").set_defaults(handler=_rounds_list)

    organisations = commands.add_parser("organisations", help="manage member organisations")
    org_commands = organisations.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = org_commands.add_parser("add", help="add an organisation")
    add.add_argument("name")
    add.set_defaults(handler=_organisations_add)
    org_commands.add_parser("list", help="list organisations").set_defaults(
        handler=_organisations_list
    )
    rename = org_commands.add_parser("rename", help="rename an organisation")
    rename.add_argument("old")
    rename.add_argument("new")
    rename.set_defaults(handler=_organisations_rename)
    deactivate = org_commands.add_parser(
        "deactivate", help="stop new codes and imports for it (history kept)"
    )
    deactivate.add_argument("name")
    deactivate.set_defaults(handler=_set_active(False))
    activate = org_commands.add_parser("activate", help="reactivate an organisation")
    activate.add_argument("name")
    activate.set_defaults(handler=_set_active(True))

    codes = commands.add_parser("codes", help="create, revoke and list invite codes")
    code_commands = codes.add_subparsers(dest="action", required=True, metavar="ACTION")
    new_code = code_commands.add_parser("create", help="create a code (shown once) and its link")
    new_code.add_argument("--organisation", required=True)
    new_code.add_argument("--group", required=True, help="stakeholder group key")
    new_code.add_argument(
        "--personal",
        action="store_true",
        help="one code per person: one response per round, reopened to revise it",
    )
    new_code.add_argument(
        "--count", type=_positive, default=1, metavar="N", help="how many codes (default 1)"
    )
    new_code.add_argument(
        "--cap",
        type=_positive,
        metavar="N",
        help="a shared code's responses per round (default: the number expected)",
    )
    new_code.add_argument(
        "--sheet", metavar="FILE.html", help="write a printable sheet of QR codes"
    )
    new_code.add_argument("--links", metavar="FILE.csv", help="write the codes and links as CSV")
    new_code.add_argument(
        "--json", action="store_true", help="print JSON: an object, or an array for several"
    )
    new_code.set_defaults(handler=_codes_create)
    revoke = code_commands.add_parser("revoke", help="stop a code from being used")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_codes_revoke)
    list_codes = code_commands.add_parser("list", help="list codes (never the codes themselves)")
    list_codes.add_argument("--json", action="store_true")
    list_codes.set_defaults(handler=_codes_list)

    import_ = commands.add_parser(
        "import", help="import responses from a CSV file (all or nothing)"
    )
    import_.add_argument("file", metavar="FILE.csv")
    import_.add_argument(
        "--create-missing",
        action="store_true",
        help="create rounds (closed) and organisations the file names but the database lacks",
    )
    import_.add_argument(
        "--amend",
        action="store_true",
        help="correct closed rounds: rows may go into them and replace a respondent's "
        "earlier response (recorded in the audit log)",
    )
    import_.set_defaults(handler=_import)

    export = commands.add_parser("export", help="export a round as CSV, Excel or JSON")
    export.add_argument("--round", required=True)
    export.add_argument("--what", choices=EXPORT_KINDS, default="responses")
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(handler=_export)

    report = commands.add_parser(
        "report", help="the meeting pack: one self-contained HTML file (or .xlsx workbook)"
    )
    report.add_argument("--round", required=True)
    report.add_argument("-o", "--output", required=True, metavar="FILE.html|FILE.xlsx")
    report.set_defaults(handler=_report)

    backup = commands.add_parser("backup", help="write a consistent snapshot while the app runs")
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(handler=_backup)

    audit = commands.add_parser("audit", help="list the audit log, newest first")
    audit.add_argument("--json", action="store_true", help="print one JSON array")
    audit.add_argument(
        "--limit", type=_positive, default=200, metavar="N", help="the newest N (default 200)"
    )
    audit.set_defaults(handler=_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (0 done, 1 refused or failed)."""
    args = build_parser().parse_args(argv)
    ctx: _Context | None = None
    try:
        ctx = _Context(get_settings())
        return args.handler(ctx, args)
    except (CollabError, FrameworkError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except sa_exc.ArgumentError:
        # The message may quote the URL, password and all, so it is not repeated.
        print(
            "error: DATABASE_URL is not a database address that can be used, for example "
            "sqlite:///data/alliance.db or postgresql+psycopg://user:password@host/alliance",
            file=sys.stderr,
        )
    except sa_exc.DBAPIError as exc:
        where = ctx.where if ctx else "DATABASE_URL"
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        print(f"error: the database ({where}) could not be used: {reason}", file=sys.stderr)
    except BrokenPipeError:
        # The reader of our output went away (``| head``): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        if ctx is not None:
            ctx.close()
    return 1
