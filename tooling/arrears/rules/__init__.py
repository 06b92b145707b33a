"""Rules: what `arrears check` enforces across records, each a pure function of a case."""
