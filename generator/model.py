"""The agency data contract (v1): the single source of truth.

The JSON Schema for editors (schema/agency.schema.json), the field reference (docs/fields.md),
the commented template of `tiepcan new` and the validation all derive from these models.
Keys are English snake_case; titles and descriptions are Vietnamese because editors read them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

SCHEMA_VERSION = 1

# Folder names the portal uses at the root of site/: an agency id must not take them. "tep" too:
# the server configs (docs/deploy/) serve every path with a /tep/ segment as a download. "admin": the web editor.
# "bao-cao": the supervision report (generator/report.py).
RESERVED_IDS = frozenset(
    {"assets", "search", "pagefind", "404", "sitemap", "index", "files", "static", "tep", "admin", "bao-cao"}
)

AGENCY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$"
_ENTRY_ID = r"^[a-z0-9][a-z0-9._-]{0,99}$"
# Letters, digits and . _ + - only: an address reaches mailto: links, where ? & % # would add headers.
_EMAIL = r"^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
_URL = r"^https?://[^\s<>\"]+$"
_FILE = r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[^\\:*?\"<>|]+$"


def _pattern_check(pattern: str, code: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise PydanticCustomError(code, "invalid value {value}", {"value": value})
        return value

    return check


def _reserved_check(value: str) -> str:
    if value in RESERVED_IDS:
        raise PydanticCustomError("reserved_id", "reserved id {value}", {"value": value})
    return value


def _text(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise PydanticCustomError("blank_text", "blank text", {})
    return stripped


# minLength for the schema only: _text already refuses "" (as blank_text), and a min_length after it
# would run in Python for each of the ~650,000 texts of a national build (one in the validator core).
Text = Annotated[str, AfterValidator(_text), Field(json_schema_extra={"minLength": 1})]
AgencyId = Annotated[
    str,
    AfterValidator(_pattern_check(AGENCY_ID_PATTERN, "agency_id")),
    AfterValidator(_reserved_check),
    Field(json_schema_extra={"pattern": AGENCY_ID_PATTERN, "minLength": 2, "maxLength": 64}),
]
EntryId = Annotated[
    str, AfterValidator(_pattern_check(_ENTRY_ID, "entry_id")), Field(json_schema_extra={"pattern": _ENTRY_ID})
]
Email = Annotated[
    str,
    AfterValidator(_pattern_check(_EMAIL, "email")),
    Field(json_schema_extra={"pattern": _EMAIL, "format": "email"}),
]
Url = Annotated[
    str, AfterValidator(_pattern_check(_URL, "url")), Field(json_schema_extra={"pattern": _URL, "format": "uri"})
]
AgencyFile = Annotated[
    str, AfterValidator(_pattern_check(_FILE, "file_path")), Field(json_schema_extra={"pattern": _FILE})
]
Count = Annotated[int, Field(ge=0)]


def _languages() -> dict[str, str]:
    """Language code → its Vietnamese name (generator/data/languages/languages.yaml)."""
    text = resources.files("generator.data").joinpath("languages/languages.yaml").read_text(encoding="utf-8")
    names = yaml.safe_load(text)
    assert isinstance(names, dict)
    return {str(code): str(name) for code, name in names.items()}


LANGUAGES = _languages()


def _language_check(value: str) -> str:
    if value not in LANGUAGES:
        raise PydanticCustomError(
            "language", "unknown language {value}", {"value": value, "known": ", ".join(LANGUAGES)}
        )
    return value


Language = Annotated[str, AfterValidator(_language_check), Field(json_schema_extra={"enum": list(LANGUAGES)})]


_HEX_COLOR = r"^#[0-9a-fA-F]{6}$"
HEADER_TEXT_COLOR = "#ffffff"  # Material draws the header text white on the primary colour


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two #RRGGBB colours (1.0 to 21.0)."""

    def luminance(color: str) -> float:
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _readable_under_header_text(value: str) -> str:
    ratio = contrast_ratio(value, HEADER_TEXT_COLOR)
    if ratio < 4.5:
        raise PydanticCustomError(
            "brand_color_contrast",
            "contrast {ratio}:1 below 4.5:1",
            {"value": value, "ratio": f"{int(ratio * 100) / 100:.2f}"},
        )
    return value


BrandColor = Annotated[
    str,
    AfterValidator(_pattern_check(_HEX_COLOR, "brand_color")),
    AfterValidator(_readable_under_header_text),
    Field(json_schema_extra={"pattern": _HEX_COLOR}),
]

AgencyKind = Literal[
    "ministry",
    "central_agency",
    "provincial_peoples_committee",
    "department",
    "commune_peoples_committee",
    "public_service_unit",
    "other",
]
# Law on Access to Information Art. 17(1), letters in Vietnamese order (no f, j); "other" is Art. 17(2).
Clause = Literal["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "other"]
# Law Art. 18(1)(a)–(e), then "other" for (e) "other convenient forms".
DisclosureForm = Literal["portal", "media", "gazette", "notice_board", "reception", "other"]
# Law Art. 7(2): whose secret makes the information conditional.
Condition = Literal["business_secret", "personal_secret", "family_secret"]
# "internal": kept in the file (the office's own register) but never published (Law Art. 6).
Access = Literal["public", "internal"]
_ACCESS_DOC = (
    "public (công bố, mặc định) hoặc internal (thông tin nội bộ, Luật TCTT Điều 6: giữ trong tệp "
    "nhưng không bao giờ đưa lên trang, tệp tải về hay chỉ mục tìm kiếm)."
)


class _Model(BaseModel):
    # strict: "yes" is not a boolean, 12 is not a phone string; frozen: stages never mutate input.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)


class Person(_Model):
    """Một người làm đầu mối cung cấp thông tin (Nghị định 42/2022, Điều 4)."""

    model_config = ConfigDict(title="Người làm đầu mối")
    name: Text = Field(title="Họ và tên")
    position: Text | None = Field(None, title="Chức vụ")
    unit: Text | None = Field(None, title="Đơn vị công tác")
    phone: Text | None = Field(
        None, title="Số điện thoại", description='Viết trong dấu ngoặc kép để giữ số 0 ở đầu, ví dụ "0271 3879 000".'
    )
    email: Email | None = Field(None, title="Thư điện tử công vụ")


class Reception(_Model):
    """Nơi và giờ tiếp nhận yêu cầu trực tiếp."""

    model_config = ConfigDict(title="Nơi tiếp nhận trực tiếp")
    place: Text = Field(title="Địa điểm tiếp nhận", description="Ví dụ: Bộ phận Một cửa, tầng 1, trụ sở Sở.")
    hours: Text | None = Field(
        None,
        title="Thời gian tiếp nhận",
        description='Ví dụ: "Sáng 7:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu".',
    )


class ContactPoint(_Model):
    """Đầu mối cung cấp thông tin (Luật TCTT Điều 17(1)(m); Nghị định 13/2018 Điều 8, 11)."""

    model_config = ConfigDict(title="Đầu mối cung cấp thông tin")
    unit: Text = Field(title="Đơn vị đầu mối", description='Đơn vị, bộ phận làm đầu mối, ví dụ "Văn phòng Sở".')
    address: Text | None = Field(None, title="Địa chỉ", description="Bỏ trống để dùng địa chỉ của cơ quan.")
    phone: Text | None = Field(None, title="Số điện thoại", description="Bỏ trống để dùng số của cơ quan.")
    fax: Text | None = Field(None, title="Số fax", description="Bỏ trống để dùng số fax của cơ quan.")
    email: Email | None = Field(None, title="Thư điện tử", description="Bỏ trống để dùng thư điện tử của cơ quan.")
    request_email: Email = Field(
        title="Địa chỉ điện tử tiếp nhận yêu cầu cung cấp thông tin",
        description="Bắt buộc (Nghị định 13/2018 Điều 11).",
    )
    complaint_email: Email | None = Field(
        None,
        title="Địa chỉ điện tử tiếp nhận phản ánh, kiến nghị, khiếu nại, tố cáo",
        description="Bỏ trống để dùng địa chỉ tiếp nhận yêu cầu.",
    )
    reception: Reception | None = Field(None, title="Nơi tiếp nhận trực tiếp")
    people: list[Person] = Field(
        default_factory=list,
        title="Người làm đầu mối",
        description="Họ tên, chức vụ, đơn vị, điện thoại, thư điện tử công vụ.",
    )


class Regulation(_Model):
    """Quy chế nội bộ về tổ chức cung cấp thông tin (Luật TCTT Điều 34(1)(h))."""

    model_config = ConfigDict(title="Quy chế nội bộ về cung cấp thông tin")
    title: Text = Field(title="Tên quy chế")
    number: Text | None = Field(None, title="Số, ký hiệu văn bản ban hành", description="Ví dụ 45/QĐ-STP.")
    issued: dt.date | None = Field(None, title="Ngày ban hành", description="Dạng YYYY-MM-DD.")
    url: Url | None = Field(None, title="Đường dẫn tải về")
    file: AgencyFile | None = Field(
        None,
        title="Tệp đính kèm",
        description="Đường dẫn tương đối trong thư mục agencies/<id>/, ví dụ files/quy-che.pdf.",
    )


class CatalogEntry(_Model):
    """Một dòng của Danh mục thông tin phải được công khai (Nghị định 13/2018 Điều 6(3))."""

    model_config = ConfigDict(title="Thông tin phải được công khai")
    id: EntryId = Field(
        title="Mã dòng", description="Không trùng trong cơ quan; dùng làm neo liên kết cố định, ví dụ kh-305-2016."
    )
    title: Text = Field(title="Tên văn bản, thông tin")
    number: Text | None = Field(None, title="Số, ký hiệu", description="Ví dụ 305/KH-UBND.")
    issuer: Text | None = Field(None, title="Cơ quan ban hành")
    created: dt.date = Field(title="Ngày tạo ra thông tin", description="Ngày ký, ban hành; dạng YYYY-MM-DD.")
    clause: Clause = Field(
        title="Nhóm thông tin theo Điều 17",
        description=(
            "Chữ cái của điểm thuộc khoản 1 Điều 17 Luật TCTT (a, b, c, d, đ, e, g, h, i, k, l, m, n, o, p) hoặc "
            '"other" cho thông tin công khai thêm (khoản 2).'
        ),
    )
    forms: list[DisclosureForm] = Field(
        min_length=1,
        title="Hình thức công khai",
        description=(
            "Một hoặc nhiều: portal (cổng/trang thông tin điện tử), media (phương tiện thông tin đại chúng), gazette "
            "(công báo), notice_board (niêm yết), reception (tiếp công dân, họp báo, người phát ngôn), other (hình thức"
            " khác)."
        ),
    )
    disclosed: dt.date = Field(title="Thời điểm công khai", description="Dạng YYYY-MM-DD.")
    until: dt.date | None = Field(None, title="Thời hạn công khai", description="Ngày kết thúc công khai, nếu có.")
    location: Text | None = Field(
        None, title="Nơi công khai", description="Ví dụ: Bảng tin trụ sở Sở; mục Văn bản của Cổng thông tin điện tử."
    )
    url: Url | None = Field(None, title="Đường dẫn tải về")
    file: AgencyFile | None = Field(
        None, title="Tệp đã số hóa", description="Tệp trong agencies/<id>/, ví dụ files/kh-305-2016.pdf."
    )
    summary: Text | None = Field(None, title="Trích yếu")
    unit: Text | None = Field(None, title="Đơn vị tạo ra thông tin")
    effective: dt.date | None = Field(None, title="Ngày có hiệu lực")
    reviewed: dt.date | None = Field(None, title="Ngày rà soát gần nhất")
    access: Access = Field("public", title="Phạm vi công bố", description=_ACCESS_DOC)

    def expired(self, today: dt.date) -> bool:
        """Its disclosure period (`until`, its last day) has ended by `today`."""
        return self.until is not None and self.until < today

    @model_validator(mode="after")
    def _dates_in_order(self) -> CatalogEntry:
        if self.disclosed < self.created:
            raise PydanticCustomError(
                "disclosed_before_created",
                "disclosed before created",
                {"disclosed": self.disclosed.isoformat(), "created": self.created.isoformat()},
            )
        if self.until is not None and self.until < self.disclosed:
            raise PydanticCustomError(
                "until_before_disclosed",
                "until before disclosed",
                {"until": self.until.isoformat(), "disclosed": self.disclosed.isoformat()},
            )
        return self


class ConditionalEntry(_Model):
    """Một dòng của Danh mục thông tin được tiếp cận có điều kiện (Luật TCTT Điều 7).

    Chỉ ghi tên và số hiệu, không bao giờ ghi nội dung của thông tin.
    """

    model_config = ConfigDict(title="Thông tin được tiếp cận có điều kiện")
    id: EntryId = Field(title="Mã dòng")
    title: Text = Field(title="Tên văn bản, thông tin")
    number: Text | None = Field(None, title="Số, ký hiệu")
    created: dt.date | None = Field(None, title="Ngày tạo ra thông tin")
    condition: Condition = Field(
        title="Điều kiện tiếp cận",
        description=(
            "business_secret (bí mật kinh doanh), personal_secret (bí mật cá nhân), family_secret (bí mật gia đình)."
        ),
    )
    consent_from: Text | None = Field(
        None,
        title="Người phải đồng ý",
        description='Ai phải đồng ý (Mẫu số 06), ví dụ "Doanh nghiệp sở hữu thông tin".',
    )
    unit: Text | None = Field(None, title="Đơn vị quản lý thông tin")
    access: Access = Field("public", title="Phạm vi công bố", description=_ACCESS_DOC)


class YearStatistics(_Model):
    """Số liệu cung cấp thông tin theo yêu cầu trong một năm (Nghị định 13/2018 Điều 12)."""

    model_config = ConfigDict(title="Số liệu một năm")
    year: Annotated[int, Field(ge=2018, le=2100)] = Field(title="Năm")
    received: Count = Field(title="Số yêu cầu đã tiếp nhận")
    provided_full: Count = Field(0, title="Số yêu cầu đã cung cấp toàn bộ")
    provided_partial: Count = Field(0, title="Số yêu cầu đã cung cấp một phần")
    refused: Count = Field(0, title="Số yêu cầu từ chối")
    transferred: Count = Field(0, title="Số yêu cầu chuyển cơ quan khác")
    complaints: Count = Field(0, title="Số khiếu nại đã giải quyết")
    lawsuits: Count = Field(0, title="Số vụ khởi kiện đã giải quyết")

    @model_validator(mode="after")
    def _totals_fit(self) -> YearStatistics:
        answered = self.provided_full + self.provided_partial + self.refused + self.transferred
        if answered > self.received:
            raise PydanticCustomError(
                "statistics_exceed_received",
                "answered exceeds received",
                {"answered": answered, "received": self.received, "year": self.year},
            )
        return self


class ExtraPage(_Model):
    """Một trang riêng của cơ quan, viết bằng Markdown."""

    model_config = ConfigDict(title="Trang riêng")
    title: Text = Field(title="Tiêu đề trang")
    file: AgencyFile = Field(title="Tệp Markdown", description="Trong agencies/<id>/, ví dụ pages/gioi-thieu.md.")
    lang: Language = Field(
        "vi",
        title="Ngôn ngữ của trang",
        description=(
            "Mã ngôn ngữ trang được viết, ví dụ km (tiếng Khmer), hmn (tiếng H'Mông), rad (tiếng Ê Đê), en (tiếng"
            " Anh); mặc định vi. Trình đọc màn hình đổi giọng theo mã này; trang tổng quan liệt kê các trang tiếng"
            " khác."
        ),
    )


class Agency(_Model):
    """Một cơ quan nhà nước và chuyên mục tiếp cận thông tin của cơ quan đó."""

    model_config = ConfigDict(title="Cơ quan (tiepcan, dữ liệu phiên bản 1)")
    id: AgencyId = Field(
        title="Mã cơ quan",
        description=(
            "Chữ thường không dấu, số và dấu gạch ngang, 2–64 ký tự; trùng với tên tệp. Là đường dẫn của chuyên mục: "
            "không đổi khi đổi tên cơ quan."
        ),
    )
    name: Text = Field(title="Tên cơ quan", description="Tên đầy đủ, có dấu.")
    name_en: Text | None = Field(
        None, title="Tên tiếng Anh", description="Dùng cho trang liên hệ tiếng Anh (Nghị định 42/2022 Điều 7)."
    )
    short_name: Text | None = Field(None, title="Tên ngắn", description='Dùng ở thanh tiêu đề, ví dụ "Sở Tư pháp".')
    kind: AgencyKind = Field(
        title="Loại cơ quan",
        description=(
            "ministry (bộ), central_agency (cơ quan trung ương khác), provincial_peoples_committee (UBND tỉnh), "
            "department (sở, ngành), commune_peoples_committee (UBND xã), public_service_unit (đơn vị sự nghiệp công "
            "lập), other (khác)."
        ),
    )
    parent: AgencyId | None = Field(
        None, title="Cơ quan cấp trên", description="Mã của một cơ quan khác trong agencies/."
    )
    sample: bool = Field(
        False,
        title="Dữ liệu mẫu",
        description='true nếu đây là cơ quan hoặc dữ liệu minh họa: mọi trang sẽ ghi rõ "Dữ liệu mẫu".',
    )
    regime: Text | None = Field(
        None,
        title="Chế độ pháp lý",
        description=(
            'Mã chế độ pháp lý áp dụng (ví dụ "2018" hoặc "2026"); bỏ trống để dùng chế độ có hiệu lực vào ngày tạo '
            "trang."
        ),
    )
    address: Text = Field(title="Địa chỉ trụ sở")
    phone: Text | None = Field(
        None, title="Số điện thoại", description='Viết trong dấu ngoặc kép, ví dụ "0271 3879 000".'
    )
    fax: Text | None = Field(None, title="Số fax")
    email: Email = Field(title="Thư điện tử của cơ quan")
    website: Url | None = Field(None, title="Cổng/Trang thông tin điện tử")
    description: Text | None = Field(
        None,
        title="Giới thiệu ngắn",
        description="Markdown đơn giản (đoạn văn, danh sách, liên kết); mã HTML bị loại bỏ.",
    )
    description_lang: Language = Field(
        "vi", title="Ngôn ngữ của phần giới thiệu", description="Mã ngôn ngữ của phần giới thiệu ngắn; mặc định vi."
    )
    previous_ids: list[AgencyId] = Field(
        default_factory=list,
        title="Mã cũ",
        description="Các mã cơ quan đã dùng trước khi đổi tên, sáp nhập; địa chỉ cũ được chuyển hướng.",
    )
    contact_point: ContactPoint = Field(title="Đầu mối cung cấp thông tin")
    regulation: Regulation | None = Field(None, title="Quy chế nội bộ về cung cấp thông tin")
    catalog: list[CatalogEntry] = Field(default_factory=list, title="Danh mục thông tin phải được công khai")
    catalog_reviewed: dt.date | None = Field(
        None,
        title="Ngày rà soát danh mục gần nhất",
        description="Ngày cơ quan rà soát toàn bộ danh mục lần gần nhất, dạng YYYY-MM-DD; trang ghi rõ ngày này.",
    )
    review_months: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None,
        title="Chu kỳ rà soát danh mục (tháng)",
        description=(
            "Cơ quan rà soát danh mục bao lâu một lần, tính bằng tháng (1–60). Khi lần rà soát gần nhất đã cũ hơn chu"
            " kỳ này, trang danh mục báo rõ cho người dân."
        ),
    )
    conditional_catalog: list[ConditionalEntry] = Field(
        default_factory=list, title="Danh mục thông tin được tiếp cận có điều kiện"
    )
    statistics: list[YearStatistics] = Field(default_factory=list, title="Số liệu cung cấp thông tin theo năm")
    pages: list[ExtraPage] = Field(default_factory=list, title="Trang riêng của cơ quan")
    brand_color: BrandColor | None = Field(
        None,
        title="Màu nhận diện",
        description=(
            'Màu thanh tiêu đề, dạng "#RRGGBB", ví dụ "#1a4d8f". Chữ trắng vẽ trên màu này phải có độ tương phản ít '
            "nhất 4.5:1 (WCAG 2.1 mức AA); màu quá nhạt bị từ chối."
        ),
    )

    @model_validator(mode="after")
    def _unique_within(self) -> Agency:
        ids = [e.id for e in self.catalog] + [e.id for e in self.conditional_catalog]
        if len(set(ids)) < len(ids):  # the places only when there is a repeat to point at (rare; 185,000 ids a build)
            entry_ids = [(("catalog", i, "id"), e.id) for i, e in enumerate(self.catalog)]
            entry_ids += [(("conditional_catalog", i, "id"), e.id) for i, e in enumerate(self.conditional_catalog)]
            _reject_repeats(entry_ids, "duplicate_entry_id")
        _reject_repeats(
            [(("statistics", i, "year"), row.year) for i, row in enumerate(self.statistics)], "duplicate_year"
        )
        if self.parent is not None and self.parent == self.id:
            raise PydanticCustomError("parent_is_self", "parent is self", {"id": self.id})
        return self

    def display_name(self) -> str:
        return self.short_name or self.name

    def last_reviewed(self) -> dt.date | None:
        """When the catalog was last reviewed: the catalog's own review date or an entry's, the newest."""
        dates = [entry.reviewed for entry in self.catalog if entry.reviewed is not None]
        if self.catalog_reviewed is not None:
            dates.append(self.catalog_reviewed)
        return max(dates, default=None)

    def last_updated(self) -> dt.date | None:
        """When the published catalogs last changed: the newest disclosure or review date."""
        dates = [d for entry in self.catalog for d in (entry.disclosed, entry.reviewed) if d is not None]
        if self.catalog_reviewed is not None:
            dates.append(self.catalog_reviewed)
        return max(dates, default=None)


def _reject_repeats(located: Sequence[tuple[tuple[str | int, ...], Any]], code: str) -> None:
    """`at` in the error context lets the validate stage point at the repeat, not at the agency."""
    seen: set[Any] = set()
    for loc, value in located:
        if value in seen:
            raise PydanticCustomError(code, "repeated {value}", {"value": value, "at": loc})
        seen.add(value)
