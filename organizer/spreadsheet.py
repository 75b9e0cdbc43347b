"""CSV cells that a spreadsheet opens safely, and reads back as written."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): a leading quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def unescape_cell(value: str) -> str:
    """Undo `safe_cell` on import, so an exported file imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value.startswith(tuple("'" + p for p in FORMULA_PREFIXES)):
        return value[1:]
    return value
