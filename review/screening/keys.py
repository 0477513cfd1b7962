"""Which key does what on the screening screen: the protocol's keys, reasons and fixed extras."""

from __future__ import annotations

from dataclasses import dataclass

from review.screening.decisions import ScreeningConfig

# Keys that are not remappable: scrolling the abstract and leaving a prompt.
SCROLL_DOWN = ("down", "pgdn", " ")
SCROLL_UP = ("up", "pgup")
CANCEL = ("esc",)
CTRL_C = "\x03"

LABELS = {
    "include": "include",
    "exclude": "exclude",
    "maybe": "maybe",
    "not_retrieved": "report not retrieved",
    "note": "note",
    "undo": "undo",
    "skip": "skip",
    "back": "back",
    "open": "open full text",
    "help": "help",
    "quit": "quit",
}

# Actions that only make sense at full text.
FULL_TEXT_ONLY = ("not_retrieved",)


@dataclass(frozen=True)
class Keymap:
    """Key -> action for one stage; reason keys exclude with that reason."""

    stage: str
    config: ScreeningConfig

    @property
    def keys(self) -> dict[str, str]:
        """action -> key (the protocol's `screening.keys` over the defaults)."""
        return dict(self.config.keys)

    def actions(self) -> list[str]:
        """The actions available at this stage, in the order they are listed."""
        out = []
        for action in self.keys:
            if action in FULL_TEXT_ONLY and self.stage != "full-text":
                continue
            out.append(action)
        return out

    def lookup(self, key: str) -> tuple[str, str]:
        """(action, argument) for a key press; ("", "") when the key means nothing here.

        A reason key gives ("reason", key). Scrolling keys give ("scroll", "+1"/"-1").
        Ctrl-C quits, like the quit key.
        """
        for action in self.actions():
            if self.keys[action] == key:
                return action, ""
        if key in self.config.reason_keys():
            return "reason", key
        if key in SCROLL_DOWN:
            return "scroll", "+1"
        if key in SCROLL_UP:
            return "scroll", "-1"
        if key == CTRL_C:
            return "quit", ""
        return "", ""

    def reasons_apply(self) -> bool:
        """Reason keys are offered at full text (at title-abstract a reason is optional)."""
        return bool(self.config.reasons)

    def hints(self) -> list[tuple[str, str]]:
        """(key, label) pairs for the footer, shortest useful form."""
        k = self.keys
        out = [(k["include"], "include"), (k["exclude"], "exclude"), (k["maybe"], "maybe")]
        if self.stage == "full-text":
            if self.config.reasons:
                out.append((reason_range(self.config), "reason"))
            out.append((k["not_retrieved"], "not retrieved"))
            out.append((k["open"], "open PDF"))
        out += [(k["note"], "note"), (k["undo"], "undo"), (k["skip"], "skip"), (k["back"], "back"),
                (k["help"], "help"), (k["quit"], "quit")]
        return out

    def help_rows(self) -> list[tuple[str, str]]:
        """Every key and what it does, for the help screen."""
        k = self.keys
        rows = [
            (k["include"], "include the record"),
            (k["exclude"], "exclude it" + (" (then a reason key)" if self.stage == "full-text" and self.config.reasons else "")),
            (k["maybe"], "maybe: not sure, decide later or send on"),
        ]
        for r in self.config.reasons:
            rows.append((r.key, f"exclude: {r.label}"))
        if self.stage == "full-text":
            rows.append((k["not_retrieved"], "report not retrieved (the full text could not be found)"))
            rows.append((k["open"], "open the full text PDF in the system viewer"))
        else:
            rows.append((k["open"], "open the full text PDF, when there is one"))
        rows += [
            (k["note"], "write a note (goes with the next decision, or onto this one)"),
            (k["undo"], "undo the last decision (repeat to undo more)"),
            (k["skip"], "skip: leave this record for later"),
            (k["back"], "back to the record before"),
            ("space", "scroll the abstract down (also the down arrow, PgDn)"),
            ("↑", "scroll the abstract up (also PgUp)"),
            (k["help"], "this help"),
            (k["quit"], "quit (every decision is already saved)"),
        ]
        return rows


def reason_range(config: ScreeningConfig) -> str:
    keys = config.reason_keys()
    if not keys:
        return ""
    if len(keys) > 2 and all(len(x) == 1 and x.isdigit() for x in keys):
        return f"{keys[0]}-{keys[-1]}"
    return "/".join(keys)
