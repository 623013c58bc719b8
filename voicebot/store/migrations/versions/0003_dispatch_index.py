"""Dispatch: an index in the lease query's order (priority DESC, latest_day, next_attempt_at,
id) over the tasks a node may lease, so a lease reads a few rows instead of sorting every due
task.

Revision ID: 0003_dispatch_index
Revises: 0002_campaigns
Create Date: 2026-11-22 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_dispatch_index"
down_revision = "0002_campaigns"
branch_labels = None
depends_on = None

LEASABLE = "status IN ('pending', 'leased')"


def upgrade() -> None:
    op.create_index("ix_callback_tasks_dispatch", "callback_tasks",
                    [sa.column("priority").desc(), "latest_day", "next_attempt_at", "id"],
                    postgresql_where=sa.text(LEASABLE), sqlite_where=sa.text(LEASABLE))


def downgrade() -> None:
    op.drop_index("ix_callback_tasks_dispatch", table_name="callback_tasks")
