"""Callback campaigns: who to call (imports → tasks), when (working days, due windows, calling
hours) and how often (attempts, per-number limits), leased to one or many bot nodes.

Pure logic (no database): :mod:`.calendar`, :mod:`.windows`, :mod:`.hours`, :mod:`.importer`,
:mod:`.rules`. Database side: :mod:`.tasks` (import → tasks with pre-checks), :mod:`.dispatch`
(lease / report), :mod:`.api` (HTTP).
"""

from __future__ import annotations
