"""Git as the audit trail: running git, reading history, auditing it, starting a repository."""
