"""The `tiepcan` command: check, build, serve, package, new, schema, import, export, diff.

Exit codes: 0 all good, 1 invalid input or failed build, 2 usage error (click's own).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import regime as regimes
from generator.build import (
    BadBuildDate,
    BuildOptions,
    InvalidInput,
    LeakFound,
    MissingFromShards,
    UnknownAgency,
    build_all,
    checked_build_date,
    default_build_date,
)
from generator.cache import RecordCache
from generator.cms import CMS_CONFIG, CmsConfigError, vendored
from generator.diagnostics import BuildFailed, Diagnostic
from generator.i18n import LANGUAGES, load_messages
from generator.index import close_services
from generator.model import AGENCY_ID_PATTERN
from generator.progress import Progress
from generator.publish import StagingRemoved, UnsafeOutput
from generator.validate import check_paths

if TYPE_CHECKING:
    from generator.spreadsheet import Kind

_lang_option = click.option("--lang", type=click.Choice(LANGUAGES), default="vi", show_default=True,
                            envvar="TIEPCAN_LANG", help="Ngôn ngữ thông báo / message language.")


def _report(diagnostics: Sequence[Diagnostic], lang: str) -> None:
    messages = load_messages(lang)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(messages), err=True)
    click.echo(messages.text("cli.problems", count=len(diagnostics)), err=True)


@click.group()
@click.version_option(package_name="tiepcan")
def main() -> None:
    """tiepcan — chuyên mục tiếp cận thông tin từ tệp YAML của từng cơ quan."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_lang_option
def check(paths: tuple[Path, ...], lang: str) -> None:
    """Kiểm tra tệp cơ quan (mặc định: agencies/)."""
    folders = list(paths) or [Path("agencies")]
    # A whole agencies folder is checked with the build's validation cache (unchanged files are not read
    # again); a few files are checked without it, which would forget the records of the others.
    cache = RecordCache.beside(folders[0]) if len(folders) == 1 and folders[0].is_dir() else None
    result = check_paths(folders, regimes.regime_ids(), cache, os.cpu_count() or 1)
    if not result.ok:
        _report(result.diagnostics, lang)
        sys.exit(1)
    for warning in result.warnings:
        click.echo(warning.format(load_messages(lang)), err=True)
    click.echo(load_messages(lang).text("cli.check_ok", count=len(result.agencies)))


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return checked_build_date(dt.date.fromisoformat(value))
    except (ValueError, BadBuildDate):
        raise click.BadParameter(load_messages().text("cli.bad_date", value=value)) from None


def _shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    index, _, count = value.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise click.BadParameter(load_messages().text("cli.bad_shard", value=value))
    return int(index), int(count)


def build_options(function: Callable[..., None]) -> Callable[..., None]:
    for decorator in reversed([
        click.option("--agency", "only", multiple=True, help="Chỉ dựng lại cơ quan này (lặp lại được); các cơ quan khác giữ bản đã dựng."),
        click.option("--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True),
        click.option("--site-url", help="Địa chỉ công khai của thư mục đầu ra, ví dụ https://stp.example.gov.vn/tiep-can-thong-tin/."),
        click.option("--agencies", "agencies_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("agencies"), show_default=True),
        click.option("--regime", type=click.Choice(regimes.regime_ids()), help="Chế độ pháp lý áp dụng (mặc định: theo ngày dựng)."),
        click.option("--date", "build_date", callback=_date, help="Ngày dựng YYYY-MM-DD (mặc định: SOURCE_DATE_EPOCH hoặc hôm nay)."),
        click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="số lõi của máy", help="Số tiến trình dựng các cơ quan song song."),
        click.option("--portal-index-parts", type=click.IntRange(min=1, max=64), default=1, show_default=True, help="Chia chỉ mục tìm kiếm của cổng thành N phần: sửa một cơ quan chỉ lập lại phần của nó, nhưng lần tìm đầu tiên của người dân tải nhiều hơn."),
        click.option("--shard", callback=_shard, help="I/N: chỉ dựng phần thứ I trong N phần các cơ quan (ghép lại bằng `tiepcan merge`)."),
        click.option("--force", is_flag=True, help="Dựng lại mọi cơ quan, kể cả cơ quan không có gì thay đổi."),
        click.option("--keep-going", is_flag=True, help="Dựng mọi cơ quan hợp lệ; cơ quan có tệp lỗi giữ bản đã dựng tốt gần nhất (vẫn thoát với mã 1)."),
        _lang_option,
    ]):
        function = decorator(function)
    return function


def _options(only: tuple[str, ...], out: Path, site_url: str | None, agencies_dir: Path, regime: str | None,
             build_date: dt.date | None, keep_going: bool, jobs: int, force: bool, shard: tuple[int, int] | None,
             lang: str, portal_index_parts: int = 1, merge_from: tuple[Path, ...] = ()) -> BuildOptions:
    try:
        day = build_date or default_build_date()
    except BadBuildDate as error:
        click.echo(load_messages(lang).text("cli.bad_date_env", value=error.value), err=True)
        sys.exit(2)
    if not BuildOptions.config.is_file():  # the theme, content/ and the base config are found beside it
        click.echo(load_messages(lang).text("cli.no_project", config=BuildOptions.config, folder=Path.cwd()), err=True)
        sys.exit(2)
    return BuildOptions(agencies_dir=agencies_dir, out=out, only=tuple(only), site_url=site_url, regime=regime,
                        build_date=day, keep_going=keep_going, jobs=jobs, force=force, shard=shard, merge_from=merge_from, lang=lang,
                        portal_index_parts=portal_index_parts,
                        cms=CMS_CONFIG if CMS_CONFIG.is_file() else None)


def run_build(options: BuildOptions) -> bool:
    """One build with every failure turned into a message; True when the site was published."""
    messages = load_messages(options.lang)
    if options.cms and not vendored():
        click.echo(messages.text("cms.not_vendored"), err=True)
    try:
        progress = Progress(sys.stderr, messages)
        report = build_all(
            options, progress=progress,
            waiting=lambda folder: click.echo(messages.text("cli.waiting", folder=str(folder)), err=True))
    except InvalidInput as error:
        _report(error.diagnostics, options.lang)
        return False
    except regimes.RegimeError as error:
        click.echo(str(error), err=True)
        return False
    except CmsConfigError as error:
        click.echo(messages.text(error.key, **error.params), err=True)
        return False
    except UnknownAgency as error:
        click.echo(messages.text("cli.unknown_agency", ids=str(error)), err=True)
        return False
    except MissingFromShards as error:
        click.echo(messages.text("cli.missing_from_shards", ids=", ".join(error.agency_ids)), err=True)
        return False
    except BuildFailed as error:
        click.echo(messages.text("cli.build_failed"), err=True)
        for line in error.messages:
            click.echo(f"  {line}", err=True)
        return False
    except UnsafeOutput as error:
        click.echo(messages.text(f"cli.unsafe_out.{error.reason}", out=str(error.path)), err=True)
        return False
    except StagingRemoved as error:
        click.echo(messages.text("cli.staging_removed", folder=str(error.path)), err=True)
        return False
    except LeakFound as error:
        click.echo(messages.text("cli.leak", count=len(error.leaks)), err=True)
        for leak in error.leaks:
            click.echo(messages.text("cli.leak_item", path=leak.path.as_posix(),
                                     agency=leak.entry.agency_id, entry=leak.entry.entry_id, found=messages.text(f"cli.leak_found.{leak.found}")), err=True)
        return False
    if report.failed:
        _report(report.diagnostics, options.lang)
        for agency_id in report.failed:
            key = "cli.kept" if agency_id in report.kept else "cli.not_published"
            click.echo(messages.text(key, id=agency_id), err=True)
    else:
        for warning in report.diagnostics:
            click.echo(warning.format(messages), err=True)
    click.echo(messages.text("cli.built", count=len(report.built), reused=len(report.reused), failed=len(report.failed),
                             entries=report.entries, seconds=f"{progress.elapsed():.1f}", out=str(options.out)))
    return not report.failed


@main.command()
@build_options
def build(**kwargs: Any) -> None:
    """Dựng cổng và chuyên mục của mọi cơ quan vào thư mục đầu ra (mặc định site/)."""
    if not run_build(_options(**kwargs)):
        sys.exit(1)


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@build_options
def merge(shards: tuple[Path, ...], **kwargs: Any) -> None:
    """Ghép đầu ra của các lần dựng `--shard I/N` thành một trang hoàn chỉnh (giống hệt một lần dựng đủ)."""
    if not run_build(_options(**kwargs, merge_from=shards)):
        sys.exit(1)


@main.command()
@build_options
@click.option("--port", default=8000, show_default=True)
def serve(port: int, **kwargs: Any) -> None:
    """Xem trước tại http://127.0.0.1:PORT/, tự dựng lại khi agencies/, content/, theme/ hoặc mkdocs.yml thay đổi."""
    from generator.serve import serve_forever

    serve_forever(_options(**kwargs), port, run_build)


@main.command()
@click.argument("agency_id")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("agencies"), show_default=True)
@_lang_option
def new(agency_id: str, folder: Path, lang: str) -> None:
    """Tạo tệp cơ quan mới agencies/ID.yaml với mọi trường và chú thích."""
    from generator.scaffold import new_agency_yaml

    messages = load_messages(lang)
    if not re.match(AGENCY_ID_PATTERN, agency_id):  # the same rule the validator applies
        raise click.BadParameter(messages.text("error.agency_id", value=agency_id), param_hint="ID")
    target = folder / f"{agency_id}.yaml"
    if target.exists():
        click.echo(messages.text("cli.exists", path=str(target)), err=True)
        sys.exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(new_agency_yaml(agency_id), encoding="utf-8")
    click.echo(messages.text("cli.created", path=str(target)))


@main.command()
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              help="Thư mục đã dựng bằng “tiepcan build”.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"), show_default=True)
@click.option("--agency", "only", multiple=True, help="Chỉ đóng gói cơ quan này (lặp lại được).")
@_lang_option
def package(site: Path, out: Path, only: tuple[str, ...], lang: str) -> None:
    """Đóng gói từng chuyên mục: <mã>.zip, <mã>.tar.gz, manifest, SHA256SUMS (xem docs/deploy/)."""
    from generator.package import bundles, package_all

    messages = load_messages(lang)
    found = {bundle.name for bundle in bundles(site)} if site.is_dir() else set()
    if not found:
        click.echo(messages.text("hosting.package.no_site", site=str(site)), err=True)
        sys.exit(1)
    unknown = [agency_id for agency_id in only if agency_id not in found]
    if unknown:
        click.echo(messages.text("cli.unknown_agency", ids=", ".join(unknown)), err=True)
        sys.exit(1)
    package_all(site, out, only)
    click.echo(messages.text("hosting.package.written", count=len(only) or len(found), out=str(out)))


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
def schema(root: Path) -> None:
    """Tạo lại schema/agency.schema.json, docs/fields.md và admin/config.yml từ mô hình dữ liệu."""
    from generator.cms import write_config
    from generator.schema import write

    for path in write(root):
        click.echo(str(path))
    if (root / CMS_CONFIG).is_file():
        try:
            click.echo(str(write_config(root)))
        except CmsConfigError as error:
            click.echo(load_messages().text(error.key, **error.params), err=True)
            sys.exit(1)


def _agency_file(agencies_dir: Path, agency_id: str, lang: str) -> Path:
    if not re.match(AGENCY_ID_PATTERN, agency_id):  # also keeps --agency from naming a path outside the folder
        raise click.BadParameter(load_messages(lang).text("error.agency_id", value=agency_id), param_hint="--agency")
    return agencies_dir / f"{agency_id}.yaml"


def _overrides(kind: Kind, maps: tuple[str, ...], lang: str) -> dict[str, str]:
    """--map "Tên VB=title" or --map C=title: a header (compared as headers are) or a column letter → field."""
    from generator.spreadsheet import normalize

    fields = list(kind.model.model_fields)
    out = {}
    for text in maps:
        column, _, name = text.rpartition("=")
        if not column.strip() or name.strip() not in fields:
            raise click.BadParameter(load_messages(lang).text("spreadsheet.bad_map", value=text, fields=", ".join(fields)),
                                     param_hint="--map")
        key = column.strip()
        out[normalize(key)] = name.strip()  # a header ("STT" too)…
        if re.fullmatch(r"[A-Z]{1,3}", key):
            out[key] = name.strip()  # …or a column letter: headers are compared in lower case, letters never
    return out


@main.group(name="import")
def import_group() -> None:
    """Nhập danh mục từ bảng tính (.xlsx, .csv) vào agencies/ID.yaml (xem docs/spreadsheet.md)."""


@main.group(name="export")
def export_group() -> None:
    """Xuất danh mục của một cơ quan ra bảng tính .xlsx, hoặc một bảng trống để điền."""


def _import_command(kind_name: str, help_text: str) -> None:
    @import_group.command(kind_name, help=help_text)
    @click.argument("sheet_file", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--agency", "agency_id", required=True, help="Mã cơ quan: tệp agencies/ID.yaml được cập nhật.")
    @click.option("--sheet", "sheet_name", help="Tên trang tính (mặc định: trang đầu tiên).")
    @click.option("--map", "maps", multiple=True, metavar="COL=field",
                  help="Cột (tiêu đề hoặc chữ cột) là trường nào, ví dụ --map \"Tên VB=title\" (lặp lại được).")
    @click.option("--agencies", "agencies_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                  default=Path("agencies"), show_default=True)
    @click.option("--replace", is_flag=True, help="Xóa các dòng có trong tệp mà bảng tính không có (mặc định: giữ).")
    @_lang_option
    def command(sheet_file: Path, agency_id: str, sheet_name: str | None, maps: tuple[str, ...],
                agencies_dir: Path, replace: bool, lang: str) -> None:
        from generator.sheet_import import import_sheet
        from generator.spreadsheet import KINDS, read_sheet

        kind, messages = KINDS[kind_name], load_messages(lang)
        path = _agency_file(agencies_dir, agency_id, lang)
        if not path.is_file():
            click.echo(messages.text("spreadsheet.no_agency", path=str(path), id=agency_id), err=True)
            sys.exit(1)
        sheet = read_sheet(sheet_file, kind, sheet_name, _overrides(kind, maps, lang))
        result = import_sheet(sheet, kind, path, replace=replace, known_regimes=regimes.regime_ids())
        if not result.ok:
            _report(result.diagnostics, lang)
            click.echo(messages.text("spreadsheet.refused", path=str(path)), err=True)
            sys.exit(1)
        for warning in result.diagnostics:
            click.echo(warning.format(messages), err=True)
        lines = [messages.text("spreadsheet.added", id=i, row=row) for i, row in result.added]
        lines += [messages.text("spreadsheet.changed", id=i, row=row, fields=", ".join(f))
                  for i, row, f in result.changed]
        lines += [messages.text("spreadsheet.removed", id=i) for i in result.removed]
        lines += [messages.text("spreadsheet.kept", id=i) for i in result.kept]
        for line in lines:
            click.echo(line)
        if result.written:
            click.echo(messages.text("spreadsheet.written", path=str(path), added=len(result.added),
                                     changed=len(result.changed), removed=len(result.removed), kept=len(result.kept)))
        else:
            click.echo(messages.text("spreadsheet.unchanged", path=str(path)))


_import_command("catalog", "Nhập Danh mục thông tin phải được công khai từ FILE (.xlsx hoặc .csv).")
_import_command("conditional", "Nhập Danh mục thông tin được tiếp cận có điều kiện từ FILE (.xlsx hoặc .csv).")


def _export_command(kind_name: str, help_text: str) -> None:
    @export_group.command(kind_name, help=help_text)
    @click.option("--agency", "agency_id", required=True, help="Mã cơ quan (tệp agencies/ID.yaml).")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Tệp .xlsx sẽ ghi.")
    @click.option("--agencies", "agencies_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                  default=Path("agencies"), show_default=True)
    @_lang_option
    def command(agency_id: str, out: Path, agencies_dir: Path, lang: str) -> None:
        from generator.sheet_import import current_entries
        from generator.spreadsheet import KINDS, workbook

        kind, messages = KINDS[kind_name], load_messages(lang)
        path = _agency_file(agencies_dir, agency_id, lang)
        if not path.is_file():
            click.echo(messages.text("spreadsheet.no_agency", path=str(path), id=agency_id), err=True)
            sys.exit(1)
        entries, errors = current_entries(path, kind, regimes.regime_ids())
        if errors:
            _report(errors, lang)
            sys.exit(1)
        workbook(kind, entries, messages).save(out)
        click.echo(messages.text("spreadsheet.exported", path=str(out), count=len(entries)))


_export_command("catalog", "Xuất Danh mục thông tin phải được công khai ra tệp .xlsx (nhập lại bằng tiepcan import).")
_export_command("conditional", "Xuất Danh mục thông tin được tiếp cận có điều kiện ra tệp .xlsx.")


@export_group.command("template")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Tệp .xlsx sẽ ghi.")
@click.option("--kind", "kind_name", type=click.Choice(["catalog", "conditional"]), default="catalog",
              show_default=True)
@_lang_option
def export_template(out: Path, kind_name: str, lang: str) -> None:
    """Ghi một bảng tính trống đúng mẫu, có danh sách chọn và trang hướng dẫn."""
    from generator.spreadsheet import KINDS, workbook

    workbook(KINDS[kind_name], [], load_messages(lang)).save(out)
    click.echo(load_messages(lang).text("spreadsheet.exported", path=str(out), count=0))


@main.command()
@click.argument("revisions", nargs=-1, metavar="[REV1 [REV2]]")
@click.option("--agencies", "agencies_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("agencies"), show_default=True)
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: để dán làm bình luận của yêu cầu hợp nhất (merge request).")
@_lang_option
def diff(revisions: tuple[str, ...], agencies_dir: Path, output_format: str, lang: str) -> None:
    """Thay đổi của từng cơ quan giữa hai phiên bản git (mặc định: HEAD → thư mục làm việc), kèm cảnh báo."""
    from generator.diff import WORKING_TREE, DiffError, compare, read_side, render

    if len(revisions) > 2:
        raise click.UsageError("REV1 [REV2]")
    messages = load_messages(lang)
    old_revision = revisions[0] if revisions else "HEAD"
    new_revision = revisions[1] if len(revisions) == 2 else WORKING_TREE
    labels = (old_revision, new_revision or messages.text("diff.working_tree"))
    try:
        old, new = read_side(agencies_dir, old_revision), read_side(agencies_dir, new_revision)
    except DiffError as error:
        click.echo(messages.text(error.key, **error.params), err=True)
        sys.exit(1)
    changes = compare(agencies_dir, old, new, labels)
    click.echo(render(changes, messages, labels, markdown=output_format == "markdown"), nl=False)


def run() -> None:
    """The program (`tiepcan`, `python -m generator.cli`): main(), then an exit that does not free the
    build's objects one by one (~1 s of a one-agency change at 2,000 agencies), once the output is
    flushed and the Pagefind service has ended. Tests call main() (click's runner) instead."""
    try:
        main()
        code = 0
    except SystemExit as stop:
        if isinstance(stop.code, str):
            click.echo(stop.code, err=True)
        code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
    close_services()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
