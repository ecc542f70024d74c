"""A clerk's spreadsheet ↔ catalog rows: read .xlsx/.csv into entry data, write entries as .xlsx.

Columns are found by their headers (model field titles plus the synonyms in
generator/data/spreadsheet/headers.yaml), matched without case, diacritics, punctuation or a
bracketed note. Cells become the model's values: dd/mm/yyyy text or real dates, the words clerks
write for forms of disclosure and clauses → codes. Nothing here judges a row as a whole: the model
does that (generator/sheet_import.py). Problems are Diagnostics at (sheet row, column number);
`column_label` shows the column letter, as the spreadsheet does.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import types
import typing
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel

from generator.diagnostics import Diagnostic, display_path
from generator.i18n import Messages
from generator.model import CatalogEntry, ConditionalEntry

# What a sheet may hold unpacked: a 20,000-row catalog is ~13 MB of worksheet XML. A workbook's parts are
# checked by the sizes its zip declares before openpyxl reads them (zipfile never inflates a part past its
# declared size), so a small zip bomb is refused, not unpacked; a CSV file is checked by its size.
MAX_SHEET_BYTES = 64 * 1024 * 1024
# A formula cell in worksheet XML, with or without a namespace prefix: <f>, <f t="shared" …/>, <x:f>.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
HEADER_SEARCH_ROWS = 30  # title rows a clerk puts above the header: a report's name, the agency, a date
_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# "a", "điểm a", "a)", "Điểm đ khoản 1 Điều 17", "dd" (Telex for đ); the letter must stand alone.
_CLAUSE_LETTER = re.compile(r"^(?:điểm|diem)?\s*(dd|[a-zđ])\s*[).:]?(?=\s|$)")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclass(frozen=True)
class Kind:
    """Which catalog a sheet holds: its key in the agency file and its entry model."""

    name: str  # "catalog" | "conditional": the word on the command line and in headers.yaml
    key: str
    model: type[BaseModel]


KINDS = {
    "catalog": Kind("catalog", "catalog", CatalogEntry),
    "conditional": Kind("conditional", "conditional_catalog", ConditionalEntry),
}


@dataclass
class Row:
    """One data row of the sheet: the values it gives, and where each came from."""

    number: int  # the sheet's row number
    values: dict[str, Any]  # field → model value; fields whose cell is empty are absent
    columns: dict[str, int]  # field → column number


@dataclass
class Sheet:
    """What was read: the mapped columns, the data rows, and every problem found on the way."""

    shown_path: str
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # field → column number
    rows: list[Row] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def problem(
        self, row: int, column: int, code: str, field_path: str = "", severity: str = "error", **params: Any
    ) -> None:
        self.diagnostics.append(at_cell(self.shown_path, row, column, code, field_path, severity, **params))


def at_cell(
    path: str, row: int, column: int, code: str, field_path: str = "", severity: str = "error", **params: Any
) -> Diagnostic:
    return Diagnostic(path, row, column, code, field_path, params, severity, get_column_letter(max(column, 1)))


def normalize(text: str) -> str:
    """'Điểm (Điều 17)' → 'diem'; 'Số, ký hiệu' → 'so ky hieu': how headers and words are compared."""
    text = _BRACKETED.sub(" ", unicodedata.normalize("NFC", text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@cache
def words() -> dict[str, Any]:
    text = resources.files("generator.data").joinpath("spreadsheet/headers.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def header_names(kind: Kind) -> dict[str, str]:
    """Normalised header → field: the model's titles, then the synonyms kept as data."""
    names = {normalize(info.title or name): name for name, info in kind.model.model_fields.items()}
    names.update({normalize(name): name for name in kind.model.model_fields})
    for name, synonyms in words()["headers"][kind.name].items():
        names.update({normalize(synonym): name for synonym in synonyms})
    return names


def _field_type(kind: Kind, name: str) -> tuple[str, tuple[str, ...]]:
    """'date', 'text', 'choice' or 'choices' (a list of codes), with the codes of a choice."""
    annotation = kind.model.model_fields[name].annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    if annotation is dt.date:
        return "date", ()
    if typing.get_origin(annotation) is list:
        return "choices", typing.get_args(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", typing.get_args(annotation)
    return "text", ()


def labels(name: str, codes: Sequence[str]) -> dict[str, str]:
    """Code → the word export writes for it (the first synonym; a clause letter is itself)."""
    synonyms = words()["values"].get(name, {})
    return {code: (synonyms.get(code) or [code])[0] for code in codes}


def _code_for(name: str, codes: Sequence[str], text: str) -> str | None:
    if name == "clause":
        match = _CLAUSE_LETTER.match(text.strip().lower())
        if match:
            letter = "đ" if match.group(1) == "dd" else match.group(1)
            return letter if letter in codes else None
    return _codes_by_word(name, tuple(codes)).get(normalize(text))


@cache
def _codes_by_word(name: str, codes: tuple[str, ...]) -> dict[str, str]:
    """Normalised code or synonym → code, the first code winning a word two of them share (as in
    the order of `codes`). Built once per field: a sheet asks it for every cell."""
    out: dict[str, str] = {}
    for code in codes:
        for word in [code, *words()["values"].get(name, {}).get(code, [])]:
            out.setdefault(normalize(word), code)
    return out


# --- reading ---------------------------------------------------------------------------------------

Grid = dict[int, dict[int, Any]]  # row → column → value, 1-based, as the spreadsheet numbers them


@dataclass
class _Cells:
    grid: Grid = field(default_factory=dict)
    filled: set[tuple[int, int]] = field(default_factory=set)  # copies of a merged range's value
    uncomputed: set[tuple[int, int]] = field(default_factory=set)  # formulas with no cached value


def _read_xlsx(path: Path, sheet: Sheet, sheet_name: str | None) -> _Cells | None:
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if sum(part.file_size for part in parts) > MAX_SHEET_BYTES:
                sheet.problem(1, 1, "sheet_too_large", limit=MAX_SHEET_BYTES // (1024 * 1024))
                return None
            sheets = [part for part in parts if part.filename.startswith("xl/worksheets/")]
            has_formulas = any(_has_formula(archive, part) for part in sheets)
        values = openpyxl.load_workbook(path, data_only=True)
        # A second pass only if some cell has a formula: to tell a formula nobody computed from a blank.
        formulas = openpyxl.load_workbook(path, data_only=False) if has_formulas else None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        sheet.problem(1, 1, "sheet_unreadable")
        return None
    if sheet_name is not None and sheet_name not in values.sheetnames:
        sheet.problem(1, 1, "sheet_no_such_sheet", value=sheet_name, known=", ".join(values.sheetnames))
        return None
    name = sheet_name or values.sheetnames[0]
    cells = _Cells()
    for row in values[name].iter_rows():
        for cell in row:
            if cell.value is not None and cell.value != "":
                cells.grid.setdefault(cell.row, {})[cell.column] = cell.value
    for row in formulas[name].iter_rows() if formulas else ():
        for cell in row:
            if cell.data_type == "f" and cells.grid.get(cell.row, {}).get(cell.column) is None:
                cells.uncomputed.add((cell.row, cell.column))
    for merged in values[name].merged_cells.ranges:  # a merged issuer applies to every row it covers
        value = cells.grid.get(merged.min_row, {}).get(merged.min_col)
        for row_number in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if (row_number, column) != (merged.min_row, merged.min_col) and value is not None:
                    cells.grid.setdefault(row_number, {})[column] = value
                    cells.filled.add((row_number, column))
    return cells


def _has_formula(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether a worksheet part has a formula cell, read in chunks (a tag may straddle two)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _read_csv(path: Path, sheet: Sheet, kind: Kind, overrides: dict[str, str]) -> _Cells | None:
    with path.open("rb") as stream:
        raw = stream.read(MAX_SHEET_BYTES + 1)
    if len(raw) > MAX_SHEET_BYTES:
        sheet.problem(1, 1, "sheet_too_large", limit=MAX_SHEET_BYTES // (1024 * 1024))
        return None
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        sheet.problem(1, 1, "sheet_csv_encoding")
        return None
    best: tuple[int, _Cells] | None = None
    # Excel writes ";" where the locale's decimal mark is a comma: the separator that finds a header wins.
    for delimiter in (",", ";", "\t"):
        cells = _Cells()
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            cells.grid[number] = {column: value for column, value in enumerate(record, 1) if value.strip()}
        score = _find_header(cells.grid, kind, overrides)[1]
        if best is None or score > best[0]:
            best = (score, cells)
    return best[1] if best else _Cells()


def _mapped(text: Any, column: int, names: dict[str, str], overrides: dict[str, str]) -> str | None:
    if text is None:
        return None
    key = normalize(str(text))
    return overrides.get(key) or overrides.get(get_column_letter(column)) or names.get(key)


def _find_header(grid: Grid, kind: Kind, overrides: dict[str, str]) -> tuple[int, int]:
    """The row, among the first ones, whose cells name the most fields; (0, 0) when none names two."""
    names = header_names(kind)
    best = (0, 0)
    for number in sorted(grid)[:HEADER_SEARCH_ROWS]:
        found = {_mapped(v, c, names, overrides) for c, v in grid[number].items()} - {None}
        if len(found) > best[1] and len(found) >= 2:
            best = (number, len(found))
    return best


def read_sheet(path: Path, kind: Kind, sheet_name: str | None = None, overrides: dict[str, str] | None = None) -> Sheet:
    """The sheet's rows as entry data. `overrides`: normalised header or column letter → field (--map)."""
    overrides = overrides or {}
    sheet = Sheet(display_path(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        cells = _read_csv(path, sheet, kind, overrides)
    elif suffix in (".xlsx", ".xlsm"):
        cells = _read_xlsx(path, sheet, sheet_name)
    else:
        sheet.problem(1, 1, "sheet_format", value=path.name)
        return sheet
    if cells is None:
        return sheet
    header_row, _ = _find_header(cells.grid, kind, overrides)
    if not header_row:
        titles = ", ".join(info.title or n for n, info in kind.model.model_fields.items() if info.is_required())
        sheet.problem(1, 1, "sheet_no_header", titles=titles)
        return sheet
    sheet.header_row = header_row
    _map_columns(sheet, cells.grid[header_row], kind, overrides)
    if not any(d.severity == "error" for d in sheet.diagnostics):
        _read_rows(sheet, cells, kind)
    return sheet


def _map_columns(sheet: Sheet, header: dict[int, Any], kind: Kind, overrides: dict[str, str]) -> None:
    names = header_names(kind)
    unknown: list[str] = []
    for column, text in sorted(header.items()):
        name = _mapped(text, column, names, overrides)
        if name is None:
            unknown.append(f"{get_column_letter(column)} “{text}”")
        elif name in sheet.columns:
            first = get_column_letter(sheet.columns[name])
            sheet.problem(sheet.header_row, column, "sheet_duplicate_column", name, value=str(text), other=first)
        else:
            sheet.columns[name] = column
    if unknown:
        sheet.problem(sheet.header_row, 1, "sheet_unknown_columns", severity="warning", columns=", ".join(unknown))
    for name, info in kind.model.model_fields.items():
        if info.is_required() and name != "id" and name not in sheet.columns:  # ids can be generated
            sheet.problem(sheet.header_row, 1, "sheet_missing_column", name, title=info.title or name, field=name)


def _read_rows(sheet: Sheet, cells: _Cells, kind: Kind) -> None:
    for number in sorted(n for n in cells.grid if n > sheet.header_row):
        own = [c for c in sheet.columns.values() if c in cells.grid[number] and (number, c) not in cells.filled]
        if not own and not any((number, c) in cells.uncomputed for c in sheet.columns.values()):
            continue  # a blank row, or one that only a merged cell reaches
        row = Row(number, {}, dict(sheet.columns))
        for name, column in sheet.columns.items():
            if (number, column) in cells.uncomputed:
                sheet.problem(number, column, "sheet_formula_no_value", name)
                continue
            value = cells.grid[number].get(column)
            if value is None:
                continue
            converted = _convert(sheet, kind, name, value, number, column)
            if converted is not None:
                row.values[name] = converted
        sheet.rows.append(row)


def _convert(sheet: Sheet, kind: Kind, name: str, value: Any, row: int, column: int) -> Any:
    """A cell as the model's value; None when empty or wrong (then a problem is recorded)."""
    kind_of, codes = _field_type(kind, name)
    if kind_of == "date":
        return _date(sheet, name, value, row, column)
    text = _text(value)
    if not text:
        return None
    if kind_of == "text":
        return text
    if kind_of == "choice":
        code = _code_for(name, codes, text)
        if code is None:
            sheet.problem(row, column, "sheet_value", name, got=text, expected=_accepted(name, codes))
        return code
    found: list[str] = []
    pattern = "|".join(re.escape(s) for s in words()["separators"])
    for part in (p.strip() for p in re.split(pattern, text)):
        code = _code_for(name, codes, part) if part else None
        if part and code is None:
            sheet.problem(row, column, "sheet_value", name, got=part, expected=_accepted(name, codes))
            return None
        if code is not None and code not in found:
            found.append(code)
    return found or None


def _accepted(name: str, codes: Sequence[str]) -> str:
    shown = labels(name, codes)
    return ", ".join(shown[code] if shown[code] == code else f"{shown[code]} ({code})" for code in codes)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column: 305, not 305.0
    elif isinstance(value, dt.datetime | dt.date):
        value = value.strftime("%d/%m/%Y")
    return str(value).strip()


def _date(sheet: Sheet, name: str, value: Any, row: int, column: int) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    match = _DATE_DMY.match(text)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    match = _DATE_ISO.match(text)
    parts = (match.group(1), match.group(2), match.group(3)) if match else parts
    if parts is None:
        sheet.problem(row, column, "sheet_date", name, got=text)
        return None
    try:
        return dt.date(*(int(part) for part in parts))
    except ValueError:
        sheet.problem(row, column, "sheet_impossible_date", name, got=text)
        return None


# --- writing ---------------------------------------------------------------------------------------

_DATE_FORMAT = "DD/MM/YYYY"
_LISTS_SHEET = "Danh sách"  # hidden: the values a dropdown offers (a literal list is capped at 255 chars)


def workbook(kind: Kind, entries: Sequence[BaseModel], messages: Messages) -> openpyxl.Workbook:
    """The entries in the layout import reads: one row each, every field a column, model titles as headers."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = messages.text(f"spreadsheet.sheet.{kind.name}")
    fields = list(kind.model.model_fields.items())
    for column, (name, info) in enumerate(fields, 1):
        cell = data.cell(1, column, info.title or name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        data.column_dimensions[get_column_letter(column)].width = 45 if name in ("title", "summary") else 18
    data.freeze_panes = "A2"
    for number, entry in enumerate(entries, 2):
        for column, (name, _info) in enumerate(fields, 1):
            _write_cell(data.cell(number, column), kind, name, entry)
    _dropdowns(book, data, kind, messages, fields)
    _guide(book, kind, messages, fields)
    return book


def _write_cell(cell: Any, kind: Kind, name: str, entry: BaseModel) -> None:
    if name not in entry.model_fields_set:
        return  # a default the file does not write stays blank, so import leaves the file as it is
    value = getattr(entry, name)
    kind_of, codes = _field_type(kind, name)
    if value is None:
        return
    if kind_of == "choice":
        value = labels(name, codes)[value]
    elif kind_of == "choices":
        value = ", ".join(labels(name, codes)[code] for code in value)
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters Excel cannot store
    cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = _DATE_FORMAT
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula the spreadsheet would run


def _dropdowns(
    book: openpyxl.Workbook, data: Any, kind: Kind, messages: Messages, fields: list[tuple[str, Any]]
) -> None:
    lists = book.create_sheet(_LISTS_SHEET)
    lists.sheet_state = "hidden"
    last_row = max(data.max_row, 1000)  # room for the rows a clerk adds
    choice_fields = [
        (column, name)
        for column, (name, _info) in enumerate(fields, 1)
        if _field_type(kind, name)[0] in ("choice", "choices")
    ]
    for list_column, (column, name) in enumerate(choice_fields, 1):
        kind_of, codes = _field_type(kind, name)
        letter = get_column_letter(list_column)
        shown = list(labels(name, codes).values())
        for index, label in enumerate(shown, 1):
            lists.cell(index, list_column, label)
        check = DataValidation(
            type="list", formula1=f"'{_LISTS_SHEET}'!${letter}$1:${letter}${len(shown)}", allow_blank=True
        )
        if kind_of == "choices":
            # Several forms go in one cell, separated by commas: the list helps, it must not refuse.
            check.errorStyle = "information"
            check.prompt = messages.text("spreadsheet.several_forms")
            check.showInputMessage = True
        data.add_data_validation(check)
        check.add(f"{get_column_letter(column)}2:{get_column_letter(column)}{last_row}")


def _guide(book: openpyxl.Workbook, kind: Kind, messages: Messages, fields: list[tuple[str, Any]]) -> None:
    guide = book.create_sheet(messages.text("spreadsheet.sheet.guide"), 1)
    headings = [
        messages.text(f"spreadsheet.guide.{key}") for key in ("header", "field", "required", "meaning", "values")
    ]
    for column, text in enumerate(headings, 1):
        guide.cell(1, column, text).font = Font(bold=True)
    for number, (name, info) in enumerate(fields, 2):
        kind_of, codes = _field_type(kind, name)
        required = info.is_required() and name != "id"
        values = _accepted(name, codes) if codes else ""
        values = messages.text("spreadsheet.guide.date") if kind_of == "date" else values
        meaning = (info.description or "") + (" " + messages.text("spreadsheet.guide.id") if name == "id" else "")
        row = [
            info.title or name,
            name,
            messages.text(f"spreadsheet.guide.{'yes' if required else 'no'}"),
            meaning.strip(),
            values,
        ]
        for column, text in enumerate(row, 1):
            guide.cell(number, column, text).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (30, 14, 10, 70, 50), strict=False):
        guide.column_dimensions[letter].width = width
    guide.freeze_panes = "A2"
