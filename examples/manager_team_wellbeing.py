"""For managers and team leads: the peer team's wellbeing, for groups of five or more only.

    python examples/manager_team_wellbeing.py

Peer workers do their own wellbeing check (``recoverycap wellbeing check PW-07``: the Copenhagen
Burnout Inventory and the ProQOL 5). Each worker sees their own result on their own screen; a
manager sees team results only, and never for a group of fewer than five workers. This example
does from Python what ``recoverycap wellbeing summary`` does:

1. builds a made-up organisation (14 peer workers at two sites, three quarterly checks each) in a
   temporary folder;
2. prints the team summary for everyone, then split by site (with the standard threshold of five
   and with a stricter one of six, as set by ``[privacy] min_group`` in the configuration file),
   then one site split by role, and shows which groups are held back and why (``*``: too small,
   or a larger group that would let a small one be worked out by subtraction);
3. prints team burnout quarter by quarter with :func:`recoverycap.analysis.team_wellbeing`, which
   applies the same small-group rule.

Nothing in it is real. It needs no arguments and no network; the folder is deleted at the end.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from recoverycap import Library, Store
from recoverycap.analysis import team_wellbeing
from recoverycap.demo import build
from recoverycap.wellbeing_summary import team_summary


def main(folder: Path) -> None:
    library = Library()
    with Store.open(folder / "demo.db", library=library, actor="manager") as store:
        made = build(store, participants=20)
        print(f"A made-up organisation with {made.workers} peer workers at two sites.\n")

        # Everyone together: 14 workers, so every result is shown.
        print(team_summary(store, library).render())

        # Split by site, first with the standard rule (groups of 5 or more), then as an
        # organisation that has set "[privacy] min_group = 6" in its configuration file: the
        # community hub's 5 workers are then too few, and the prison's group is held back too,
        # because "all workers" minus the prison would give the hub's result away.
        for min_group in (5, 6):
            print("\n" + "=" * 100 + "\n")
            by_site = team_summary(store, library, by="site", min_group=min_group)
            print(by_site.render())
            held = by_site.suppressed
            print(
                f"\nHeld back with min_group = {min_group}: {held['small']} group result(s) too small, "
                f"{held['secondary']} more so that a small group cannot be worked out by subtraction."
            )

        # One site split by role: the role groups there are small, so they are held back.
        print("\n" + "=" * 100 + "\n")
        print(team_summary(store, library, site="HMP Northmoor", by="role").render())

        # Over time: the team's mean CBI work-related burnout each quarter, by site.
        print("\n" + "=" * 100 + "\n")
        scores = store.scores_frame(subject_type="worker", instrument="cbi")
        trend = team_wellbeing(scores, by="site", instrument="cbi", scale="work")
        print("CBI work-related burnout by site and quarter (mean, 95% CI; groups of 5 or more):")
        print(trend.table.round(1).to_string(index=False))
        if trend.note:
            print(trend.note)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="recoverycap-example-") as tmp:
        main(Path(tmp))
