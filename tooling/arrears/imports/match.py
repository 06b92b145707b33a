"""Which case a row's debtor is: by an imported note, debtor.name, a contact e-mail or extra.source_names.

Names are compared as `values.name_key` does (case, accents, punctuation and
spacing aside). A name or e-mail that fits two cases is never guessed at:
it is an error naming both, solved by extra.source_names in the right one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arrears.imports.entries import Entry
from arrears.imports.index import CaseIndex
from arrears.imports.values import name_key


@dataclass
class Debtors:
    cases: dict[str, CaseIndex]
    by_origin: dict[tuple[str, str], str] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)
    by_email: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, indexes: list[CaseIndex]) -> "Debtors":
        debtors = cls({index.id: index for index in indexes})
        for index in indexes:
            for origin in index.by_source:
                debtors.by_origin[origin] = index.id
            for origin in index.imported_payments:
                debtors.by_origin[origin] = index.id
            for name in index.names:
                debtors.by_name.setdefault(name, []).append(index.id)
            for email in index.emails:
                debtors.by_email.setdefault(email, []).append(index.id)
        return debtors

    def find(self, entry: Entry) -> tuple[str | None, str | None]:
        """(case id, None), or (None, why not) when the debtor is unknown ("") or ambiguous (a message)."""
        found = self.by_origin.get((entry.source, entry.source_id))
        if found:
            return found, None
        if entry.contact:
            named = self.by_name.get(name_key(entry.contact), [])
            if len(named) == 1:
                return named[0], None
            if len(named) > 1:
                return None, (f"{entry.contact!r} is the debtor of several cases ({', '.join(sorted(named))}): "
                              "rename one, or list the name under extra.source_names in the right one only")
        if entry.email:
            mailed = self.by_email.get(entry.email.strip().casefold(), [])
            if len(mailed) == 1:
                return mailed[0], None
            if len(mailed) > 1:
                return None, f"e-mail {entry.email} is a contact of several cases ({', '.join(sorted(mailed))})"
        return None, ""
