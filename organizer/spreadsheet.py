"""CSV cells that a spreadsheet opens safely, and reads back as written."""

# A cell starting with one of these may be run as a formula (OWASP, "CSV Injection"):
# = + - @, tab and carriage return, and the full-width forms of = + - @, which some
# spreadsheet programs (Excel with East Asian input, LibreOffice) read as the ASCII ones.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): a leading quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def unescape_cell(value: str) -> str:
    """Undo `safe_cell` on import, so an exported file imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value.startswith(tuple("'" + p for p in FORMULA_PREFIXES)):
        return value[1:]
    return value
