"""Load the question bank in a background thread after the first paint; warn about broken user decks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker, get_current_worker

from quiz.tui.services import BankView, Unavailable

if TYPE_CHECKING:
    from quiz.app import NnprepApp


def load_bank_worker(app: NnprepApp) -> Worker[None]:
    """Start loading the bank; broken user decks are reported with ``notify`` and the rest still works."""

    def load() -> None:
        try:
            bank: BankView = app.services.bank()
        except Unavailable:
            return
        except Exception as e:  # a broken bundled bank must not take the app down
            app.call_from_thread(app.notify, f"The question bank could not be loaded: {e}",
                                 title="Question bank", severity="error", timeout=10)
            return
        if bank.problems and not get_current_worker().is_cancelled:
            shown = "\n".join(bank.problems[:5])
            more = f"\n… and {len(bank.problems) - 5} more" if len(bank.problems) > 5 else ""
            app.call_from_thread(app.notify, f"Skipped broken deck content:\n{shown}{more}",
                                 title="Deck problems", severity="warning", timeout=12)

    return app.run_worker(load, thread=True, name="load-bank", group="bank", exclusive=True)
