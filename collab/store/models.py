"""SQLAlchemy 2.0 typed models. The schema is changed only through Alembic migrations.

Stakeholder groups and learning points are keys from the framework file, stored as
short strings, so a deployment can add groups or points without a migration.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class AllianceSetting(Base):
    """Facts about this database, such as whether it holds the demo alliance."""

    __tablename__ = "alliance_settings"

    key: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)


class Organisation(Base):
    __tablename__ = "organisations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class Round(Base):
    __tablename__ = "rounds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), unique=True)
    opens_on: so.Mapped[dt.date | None]
    closes_on: so.Mapped[dt.date | None]
    is_open: so.Mapped[bool] = so.mapped_column(default=False)
    live_results: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    # When the round was first opened; None while it has never been (not yet opened).
    opened_at: so.Mapped[dt.datetime | None]
    # The snapshot every results view of the round reads; None while none is published.
    published_snapshot_id: so.Mapped[int | None]


class InviteCode(Base):
    """A code for the members of one organisation and stakeholder group.

    A personal code is one person's: it stores one response per round and reopens it for
    revision. A shared code takes at most ``response_cap`` responses in each round.
    Only the SHA-256 hash of the code is kept; the code itself is shown once.
    """

    __tablename__ = "invite_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"))
    stakeholder_group: so.Mapped[str] = so.mapped_column(sa.String(50))
    revoked: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    personal: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    response_cap: so.Mapped[int | None]

    organisation: so.Mapped[Organisation] = so.relationship()


class Respondent(Base):
    """One person who answers, anonymous: an organisation and a stakeholder group.

    ``reference`` is the respondent column of an imported file (unique when given).
    """

    __tablename__ = "respondents"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    stakeholder_group: so.Mapped[str] = so.mapped_column(sa.String(50))
    invite_code_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("invite_codes.id"), index=True
    )
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(200), unique=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()


class Submission(Base):
    """A respondent's answers to one round; at most one per respondent and round.

    Answers hang off revisions; the revision numbered ``current_revision`` counts.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        sa.UniqueConstraint("respondent_id", "round_id", name="uq_submissions_respondent_round"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    respondent_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("respondents.id"))
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id"), index=True)
    receipt_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    source: so.Mapped[str] = so.mapped_column(sa.String(20))
    current_revision: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)

    respondent: so.Mapped[Respondent] = so.relationship()
    round: so.Mapped[Round] = so.relationship()


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        sa.UniqueConstraint("submission_id", "number", name="uq_revisions_submission_number"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    submission_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("submissions.id"))
    number: so.Mapped[int]
    # The form's one-time token: a double-click or a re-sent form stores once.
    idempotency_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        sa.UniqueConstraint("revision_id", "learning_point", name="uq_answers_revision_point"),
        sa.CheckConstraint(
            "(score IS NULL) OR (score BETWEEN 1 AND 9 AND NOT dont_know)", name="score_or_dk"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    revision_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("revisions.id"))
    learning_point: so.Mapped[str] = so.mapped_column(sa.String(50))
    score: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    dont_know: so.Mapped[bool] = so.mapped_column(default=False)
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text)


class AuditEntry(Base):
    """One administrative action: what was done, when (UTC) and by whom.

    ``actor`` is the signed-in role ("admin", "leadership") for a change made on a page,
    or "command line" for one made with ``python -m collab``.

    ``detail`` is written for people to read; it never holds an invite code or a passcode.
    """

    __tablename__ = "audit_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    actor: so.Mapped[str] = so.mapped_column(sa.String(20))
    action: so.Mapped[str] = so.mapped_column(sa.String(50))
    detail: so.Mapped[str] = so.mapped_column(sa.Text)


class Action(Base):
    """An action the leadership team agreed on one learning point in a round's meeting.

    ``status`` is one of ``agreed``, ``in_progress``, ``done``, ``dropped``; actions stay
    listed in later rounds' meetings so the team can follow them up.
    """

    __tablename__ = "actions"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('agreed', 'in_progress', 'done', 'dropped')", name="status_known"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id"), index=True)
    learning_point: so.Mapped[str] = so.mapped_column(sa.String(50))
    description: so.Mapped[str] = so.mapped_column(sa.String(500))
    lead_organisation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("organisations.id")
    )
    due_on: so.Mapped[dt.date | None]
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="agreed")
    created_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    round: so.Mapped[Round] = so.relationship()
    lead_organisation: so.Mapped[Organisation | None] = so.relationship()


class ExpectedParticipation(Base):
    """How many responses the alliance expects from one organisation's stakeholder group."""

    __tablename__ = "expected_participation"
    __table_args__ = (
        sa.UniqueConstraint(
            "organisation_id",
            "stakeholder_group",
            name="uq_expected_participation_organisation_group",
        ),
        sa.CheckConstraint("expected >= 0", name="expected_not_negative"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"))
    stakeholder_group: so.Mapped[str] = so.mapped_column(sa.String(50))
    expected: so.Mapped[int]

    organisation: so.Mapped[Organisation] = so.relationship()


class SignInThrottle(Base):
    """Wrong passcodes in a row for one role or one client address, and the lock they earn.

    ``kind`` is ``role`` (``name`` is the role tried) or ``client`` (``name`` is the
    address the try came from, ``unknown`` when the server can't tell). A correct
    passcode resets the role's and the client's rows.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (sa.CheckConstraint("kind IN ('role', 'client')", name="kind_known"),)

    kind: so.Mapped[str] = so.mapped_column(sa.String(10), primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    locked_until: so.Mapped[dt.datetime | None]
    last_failed_at: so.Mapped[dt.datetime | None]


class ImportFile(Base):
    """A file imported into a round, known by the SHA-256 of its bytes.

    One row per round the file's responses went into; the same bytes can't be imported
    into a round twice.
    """

    __tablename__ = "import_files"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "sha256", name="uq_import_files_round_sha256"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id"))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    file_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    imported_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)


class PublishedSnapshot(Base):
    """The answers of a round as published: the revision of each submission that counted.

    Results, exports, packs and trends read a round's published snapshot
    (``rounds.published_snapshot_id``), never the live answers, so two views taken at
    different times differ by whole publications only.
    """

    __tablename__ = "published_snapshots"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id"), index=True)
    published_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    people: so.Mapped[int]


class SnapshotRevision(Base):
    __tablename__ = "snapshot_revisions"

    snapshot_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("published_snapshots.id"), primary_key=True
    )
    revision_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("revisions.id"), primary_key=True)


class DataVersion(Base):
    """One row counting writes: ``any_change`` grows with every write, ``results_change``
    with every write that can change what a results view shows (all but a member's
    answers that publish nothing). Cached reads are keyed by them."""

    __tablename__ = "data_versions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    any_change: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    results_change: so.Mapped[int] = so.mapped_column(sa.BigInteger)


class Check(Base):
    """A live check in a meeting: members score one learning point (or every point, when
    ``learning_point`` is None) on their phones, once, then again after discussion.

    ``passes`` is the pass taking answers (1, or 2 once the re-score began). The figures
    shown move by publications (``published_seq`` counts them); ``rescore_from`` is the
    publication in force when the re-score began, the "before" of the re-score.
    ``short_code`` is shown on the meeting screen for members to type; it is no secret.
    """

    __tablename__ = "checks"
    __table_args__ = (sa.CheckConstraint("passes IN (1, 2)", name="passes_known"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id"), index=True)
    learning_point: so.Mapped[str | None] = so.mapped_column(sa.String(50))
    short_code: so.Mapped[str] = so.mapped_column(sa.String(8), unique=True)
    passes: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=1)
    is_open: so.Mapped[bool] = so.mapped_column(default=True)
    published_seq: so.Mapped[int] = so.mapped_column(default=0)
    rescore_from: so.Mapped[int | None]
    opened_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    closed_at: so.Mapped[dt.datetime | None]

    round: so.Mapped[Round] = so.relationship()


class CheckAnswer(Base):
    """One person's answer to one learning point in one pass of a live check; never changed.

    A person is an invite code and a ``seat``: "" for a personal code (the code is the
    person), and for a shared code the SHA-256 of a random token the member's page holds,
    so each phone counts as one person. The code itself is never stored.
    ``published_in`` is the publication that put this answer into the figures shown
    (None while it waits); a person's answer shown as of publication P is their answer
    with the largest ``published_in`` up to P.
    """

    __tablename__ = "check_answers"
    __table_args__ = (
        sa.UniqueConstraint(
            "check_id",
            "pass_number",
            "invite_code_id",
            "seat",
            "learning_point",
            name="uq_check_answers_person_pass_point",
        ),
        sa.CheckConstraint("pass_number IN (1, 2)", name="pass_known"),
        sa.CheckConstraint(
            "(score IS NULL) OR (score BETWEEN 1 AND 9 AND NOT dont_know)", name="score_or_dk"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    check_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("checks.id"))
    pass_number: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    invite_code_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("invite_codes.id"), index=True)
    seat: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    learning_point: so.Mapped[str] = so.mapped_column(sa.String(50))
    score: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    dont_know: so.Mapped[bool] = so.mapped_column(default=False)
    answered_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow)
    published_in: so.Mapped[int | None]


class Draft(Base):
    """A member's answers not sent yet, kept as they go so that nothing is lost.

    Keyed by the SHA-256 hash of the code the form was opened with (an invite code, or a
    receipt code when revising; never the code itself), the round and the token of the
    device, which the page keeps in its address. ``answers`` is JSON text; ``position``
    is the point of the form the member was on. Deleted once the answers are sent, when
    the round closes, and after ``collab.domain.drafts.KEEP_DAYS`` without a change.
    """

    __tablename__ = "drafts"
    __table_args__ = (
        sa.UniqueConstraint("code_hash", "round_id", "device", name="uq_drafts_code_round_device"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id"), index=True)
    device: so.Mapped[str] = so.mapped_column(sa.String(64))
    position: so.Mapped[int] = so.mapped_column(default=1)
    answers: so.Mapped[str] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(default=utcnow, index=True)

    @classmethod
    def of_form(cls, code_hash: str, round_id: int, device: str) -> sa.ColumnElement[bool]:
        """The condition picking the draft of a form: its code's hash, round and device."""
        return sa.and_(cls.code_hash == code_hash, cls.round_id == round_id, cls.device == device)
