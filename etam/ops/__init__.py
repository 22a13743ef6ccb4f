"""Operations: encrypted backups, restore into an empty installation, the restore drill (ADR 0103)."""
