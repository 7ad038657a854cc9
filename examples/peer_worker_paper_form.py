"""For peer workers (and whoever sets up their laptop): record completed paper forms from Python.

    python examples/peer_worker_paper_form.py

Sometimes a questionnaire is done on paper: through a cell door, on a wing with no laptop, or
because the person prefers it. This example does in Python what ``recoverycap participant add``,
``recoverycap enrol start`` and ``recoverycap enter`` do at the keyboard:

1. registers a participant by pseudonymous code (never a name or prison number) and enrols them;
2. types in paper BARC-10 and PHQ-9 forms from intake and from programme end with
   :func:`recoverycap.enter_paper_form` (checked all at once, saved all or nothing, dated with the
   date on the form) and prints the scores in plain words, compared with the earlier form;
3. shows a safeguarding alert being recorded with the form (PHQ-9 item 9), a missing answer being
   recorded with its reason (never as 0), and a wrong code being refused with a message naming the
   item, what is allowed and what was given;
4. gives a WHO-5 question by question with :class:`recoverycap.SurveySession` (the engine behind
   ``recoverycap administer``), skipping a question with a reason and going back to change one.

Everything happens in a temporary folder that is deleted at the end; the answers are made up for
the example. It needs no arguments and no network.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from recoverycap import InvalidResponse, Library, Missing, Store, SurveySession, enter_paper_form

WORKER = "PW-03"  # the peer worker's own pseudonymous code: the audit log records who did what
PERSON = "ALT-0042"


def shown(value: object) -> str:
    """An answer as the audit command prints it: a code, or "missing (reason)"."""
    return f"missing ({value.reason})" if isinstance(value, Missing) else str(value)


def main(folder: Path) -> None:
    library = Library()
    barc10 = library.get("barc10")
    with Store.open(folder / "org.db", library=library, actor=WORKER) as store:
        store.add_participant(PERSON, site="HMP Northmoor", cohort="2026Q3")
        store.enrol(PERSON, "twelve_step", "2026-08-03")
        print(f"Registered {PERSON} and enrolled them on the 12-step programme.")

        # The intake forms: item id -> the code circled on the form, and the date on the form.
        barc_intake = {
            "q1": 3,
            "q2": 2,
            "q3": 3,
            "q4": 3,
            "q5": 2,
            "q6": 3,
            "q7": 2,
            "q8": 4,
            "q9": 3,
            "q10": 3,
        }
        entry = enter_paper_form(
            store, PERSON, barc10, "intake", barc_intake, "2026-08-03", by=WORKER
        )
        print(f"\nIntake BARC-10 saved (administration {entry.administration_id[:8]}...):")
        for result in entry.results:
            print("  " + result.sentence())

        # PHQ-9: item 9 above 0 raises a safeguarding alert, recorded with the form. The last
        # question (how difficult) was left blank because the person did not know: it is stored
        # as "dont_know". It is not part of the total, so the total is still scored.
        phq9 = library.get("phq9")
        phq_intake = {
            "q1": 2,
            "q2": 2,
            "q3": 1,
            "q4": 2,
            "q5": 1,
            "q6": 2,
            "q7": 1,
            "q8": 0,
            "q9": 1,
            "difficulty": "dont_know",
        }
        entry = enter_paper_form(store, PERSON, phq9, "intake", phq_intake, "2026-08-03", by=WORKER)
        print("Intake PHQ-9 saved:")
        for result in entry.results:
            print("  " + result.sentence())
        for hit in entry.alerts:
            print(f"  SAFEGUARDING ALERT recorded: {hit.message}")

        # A mistyped code is refused, naming the item, what is allowed and what was given.
        try:
            enter_paper_form(
                store,
                PERSON,
                barc10,
                "programme_end",
                {**barc_intake, "q4": 7},
                "2026-08-31",
                by=WORKER,
            )
        except InvalidResponse as exc:
            print("\nA wrong code is refused and nothing is saved:")
            for problem in exc.problems:
                print(f"  {problem}")

        # Programme end: the scores are compared with intake, in words.
        store.end_enrolment(PERSON, "twelve_step", "2026-08-31", outcome="completed")
        barc_end = {
            "q1": 5,
            "q2": 4,
            "q3": 5,
            "q4": 4,
            "q5": 4,
            "q6": 5,
            "q7": 4,
            "q8": 6,
            "q9": 5,
            "q10": 5,
        }
        entry = enter_paper_form(
            store, PERSON, barc10, "programme_end", barc_end, "2026-08-31", by=WORKER
        )
        print("\nProgramme-end BARC-10 saved:")
        for result in entry.results:
            print("  " + result.sentence())
        # One PHQ-9 question declined: PHQ-9 has no prorating rule, so there is no total. A
        # missing answer is never counted as 0.
        phq_end = {
            "q1": 1,
            "q2": 1,
            "q3": "declined",
            "q4": 1,
            "q5": 0,
            "q6": 1,
            "q7": 1,
            "q8": 0,
            "q9": 0,
            "difficulty": 1,
        }
        entry = enter_paper_form(
            store, PERSON, phq9, "programme_end", phq_end, "2026-08-31", by=WORKER
        )
        print("Programme-end PHQ-9 saved:")
        for result in entry.results:
            print("  " + result.sentence())

        # The same thing question by question, as 'recoverycap administer' does on screen.
        who5 = library.get("who5")
        session = SurveySession.start(
            store,
            PERSON,
            "programme_end",
            [who5],
            mode="read_aloud",
            by=WORKER,
            administered_at="2026-08-31",
        )
        given = iter([3, 4, 2, 3, 4])  # q1, q2, q3 (after going back), q4, q5
        went_back = False
        while not session.done:
            question = session.current
            if question is None:  # every item has an answer: the review, then finish
                print("\nReview before saving:")
                for row in session.review():
                    print(f"  {row.number}. {row.text}: {row.shown}")
                session.finish()
                continue
            if question.item.id == "q3" and question.answer is None:
                session.skip("dont_know")  # "I don't know" is recorded as a reason, not a zero
            elif question.item.id == "q4" and not went_back:
                session.back()  # go back to q3: the person now gives an answer after all
                went_back = True
            else:
                session.answer(next(given))
        print("WHO-5 given read aloud and saved:")
        for line in session.summary_lines():
            print("  " + line)

        print("The audit log kept the first answer to q3 when it was changed:")
        for change in store.audit_log(table="answers", action="update"):
            print(
                f"  {change.actor}: {change.field} {shown(change.old_value)} -> {shown(change.new_value)} ({change.reason})"
            )

        print(f"\nEverything {PERSON} has on record:")
        for adm in store.administrations(subject=PERSON):
            print(
                f"  {adm.administered_at[:10]}  {adm.timepoint:<14} {adm.instrument:<7} {adm.mode:<10} {adm.status}"
            )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="recoverycap-example-") as tmp:
        main(Path(tmp))
