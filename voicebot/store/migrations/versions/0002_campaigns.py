"""Campaigns: what each task is for (kind, region, event key, facts), the customer's requested
time, one row per lease attempt, and per-number daily call counts shared by all nodes.

Revision ID: 0002_campaigns
Revises: 0001
Create Date: 2026-11-22 06:52:40
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_campaigns"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_days",
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("phone", "day", name=op.f("pk_number_days")),
    )
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("script", sa.String(length=64), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("leased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["callback_tasks.id"],
                                name=op.f("fk_callback_attempts_task_id_callback_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
        sa.UniqueConstraint("task_id", "attempt", name=op.f("uq_callback_attempts_task_id")),
    )
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_attempts_local_day"), ["local_day"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_attempts_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_callback_attempts_task_id"), ["task_id"], unique=False)

    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("region", sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("event_key", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_callback_tasks_event_key"), ["event_key"])


def downgrade() -> None:
    with op.batch_alter_table("callback_tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_callback_tasks_event_key"), type_="unique")
        for column in ("last_attempt_at", "requested_at", "detail", "event_key", "region", "kind"):
            batch_op.drop_column(column)
    with op.batch_alter_table("callback_attempts", schema=None) as batch_op:
        for name in ("task_id", "outcome", "local_day"):
            batch_op.drop_index(batch_op.f(f"ix_callback_attempts_{name}"))
    op.drop_table("callback_attempts")
    op.drop_table("number_days")
